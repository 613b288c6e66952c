"""Throughput and latency of the plan-check endpoint next to the server's cheapest endpoint.

Starts `toxplan serve` (one process, SQLite in a temporary folder) on loopback, signs in,
then drives each endpoint with N concurrent clients for a fixed time and prints requests per
second and p50/p99 latency. Goal: POST /api/v1/check keeps at least half the throughput of
GET /api/v1/health. Only loopback traffic; every loop is bounded in time. Prints figures,
asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
TOXPLAN = str(Path(sys.executable).parent / "toxplan")
PASSWORD = "bench-password-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def check_body() -> dict[str, Any]:
    sites = [
        "procerus",
        "corrugator_medial_left",
        "corrugator_medial_right",
        "corrugator_lateral_left",
        "corrugator_lateral_right",
    ]
    return {
        "patient": {
            "birth_date": "1984-02-03",
            "sex": "female",
            "weight_kg": 60,
            "pregnant": False,
            "breastfeeding": False,
            "infection_at_site": False,
            "conditions": ["hypothyroidism"],
            "medications": ["levothyroxine"],
            "allergies": [],
        },
        "history": [{"date": "2026-06-01", "product": "botox", "indication": "glabellar_lines", "units": 20}],
        "treatment": {
            "product": "botox",
            "vial_units": 100,
            "diluent_ml": 2.5,
            "injections": [{"indication": "glabellar_lines", "site": s, "units": 4} for s in sites],
        },
    }


async def drive(
    client: httpx.AsyncClient, method: str, path: str, body: Any, *, seconds: float, clients: int
) -> tuple[int, list[float], int]:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            response = await client.request(method, path, json=body)
            latencies.append(time.perf_counter() - t0)
            errors += response.status_code >= 400

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return int(len(latencies) / (time.perf_counter() - started)), sorted(latencies), errors


async def measure(base: str, seconds: float, clients: int) -> None:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        who = (await client.post("/api/v1/session", json={"email": "bench@example.org", "password": PASSWORD})).json()
        client.headers["x-csrf-token"] = who["csrf_token"]
        await drive(client, "GET", "/api/v1/health", None, seconds=1.0, clients=clients)  # warm up both paths
        await drive(client, "POST", "/api/v1/check", check_body(), seconds=1.0, clients=clients)
        results = {}
        for label, method, path, body in (
            ("GET /api/v1/health", "GET", "/api/v1/health", None),
            ("POST /api/v1/check", "POST", "/api/v1/check", check_body()),
        ):
            rps, lat, errors = await drive(client, method, path, body, seconds=seconds, clients=clients)
            results[label] = rps
            print(
                f"{label:<20} {rps:6,d} req/s  p50 {statistics.median(lat) * 1000:6.1f} ms  "
                f"p99 {lat[int(len(lat) * 0.99)] * 1000:6.1f} ms  ({len(lat)} requests, {errors} errors)"
            )
    ratio = results["POST /api/v1/check"] / max(results["GET /api/v1/health"], 1)
    print(f"check keeps {ratio:.0%} of the cheapest endpoint's throughput (goal: at least 50%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "TOXPLAN_DATABASE_URL": f"sqlite:///{folder}/bench.db"}
        subprocess.run(
            [
                TOXPLAN,
                "user",
                "create",
                "--email",
                "bench@example.org",
                "--name",
                "Bench",
                "--role",
                "injector",
                "--new-clinic",
                "Bench clinic",
                "--password-stdin",
            ],
            input=PASSWORD + "\n",
            text=True,
            env=env,
            check=True,
            capture_output=True,
        )
        port = free_port()
        server = subprocess.Popen(
            [TOXPLAN, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            asyncio.run(measure(base, args.seconds, args.clients))
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
