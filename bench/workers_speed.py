"""Check-endpoint throughput with 1, 2 and 4 server workers on one PostgreSQL database.

Creates a scratch database on the PostgreSQL server (``--postgres-url``, default
``$TOXPLAN_TEST_POSTGRES_URL`` or the local test server), migrates it, creates one user, then
for each worker count starts ``toxplan serve --workers N`` on loopback, signs in and drives
``POST /api/v1/check`` from several load-generating processes for a fixed time. Prints
requests per second, p50/p99 latency and each count's throughput as a ratio of one worker's.
Only loopback traffic; every loop is bounded in time; the scratch database is dropped at the
end. Prints figures, asserts nothing: the load generator shares the machine's cores with the
servers, so the ratios are a lower bound of what separate machines would show.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import subprocess
import tempfile
import time
import uuid

import httpx
from sqlalchemy import create_engine, text

from api_speed import PASSWORD, TOXPLAN, check_body, free_port

DEFAULT_PG = os.environ.get("TOXPLAN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


async def _load(base: str, csrf: str, cookie: str, seconds: float, clients: int) -> list[float]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"x-csrf-token": csrf}
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60, headers=headers) as client:
        client.cookies.set("toxplan_session", cookie)
        stop = time.perf_counter() + seconds
        body = check_body()

        async def worker() -> None:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                response = await client.post("/api/v1/check", json=body)
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - t0)

        await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies


def _generator(args: tuple[str, str, str, float, int]) -> list[float]:
    return asyncio.run(_load(*args))


def measure(base: str, seconds: float, clients: int, generators: int) -> tuple[float, list[float]]:
    answer = httpx.post(f"{base}/api/v1/session", json={"email": "bench@example.org", "password": PASSWORD}, timeout=60)
    answer.raise_for_status()
    csrf, cookie = answer.json()["csrf_token"], answer.cookies["toxplan_session"]
    per = max(clients // generators, 1)
    with multiprocessing.get_context("spawn").Pool(generators) as pool:
        pool.map(_generator, [(base, csrf, cookie, 1.0, per)] * generators)  # warm every worker up
        started = time.perf_counter()
        parts = pool.map(_generator, [(base, csrf, cookie, seconds, per)] * generators)
        elapsed = time.perf_counter() - started
    latencies = sorted(x for part in parts for x in part)
    return len(latencies) / elapsed, latencies


def serve(env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [TOXPLAN, "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url", default=DEFAULT_PG)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--generators", type=int, default=2, help="load-generating processes")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    name = f"toxplan_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.postgres_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        with tempfile.TemporaryDirectory() as folder:
            env = {**os.environ, "TOXPLAN_DATABASE_URL": url, "TOXPLAN_DATA_DIR": folder}
            create = [TOXPLAN, "user", "create", "--email", "bench@example.org", "--name", "Bench"]
            create += ["--role", "injector", "--new-clinic", "Bench clinic", "--password-stdin"]
            subprocess.run(create, input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True)
            print(
                f"POST /api/v1/check on PostgreSQL, {args.clients} clients from {args.generators} processes, "
                f"{args.seconds:.0f} s per run, {os.cpu_count()} cores shared by servers and load"
            )
            baseline = None
            for workers in args.workers:
                server, base = serve(env, workers)
                try:
                    rps, lat = measure(base, args.seconds, args.clients, args.generators)
                finally:
                    server.terminate()
                    server.wait(timeout=30)
                baseline = baseline or rps
                print(
                    f"workers {workers}: {rps:7.1f} req/s  p50 {statistics.median(lat) * 1000:6.1f} ms  "
                    f"p99 {lat[int(len(lat) * 0.99)] * 1000:6.1f} ms  ratio to 1 worker {rps / baseline:.2f}"
                )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
