"""Real servers for tests: the app in a background uvicorn thread, or ``toxplan serve`` as
separate processes on free local ports (several processes on one database)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

TOXPLAN = Path(sys.executable).with_name("toxplan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def server_thread(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on a free port in this process (uvicorn believes no proxy header)."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", proxy_headers=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float = 150) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer in {timeout_s} s:\n{log.read_text()[-3000:]}")


@dataclass(frozen=True)
class Running:
    url: str
    pid: int
    """The ``toxplan serve`` process: with ``--workers N``, the supervisor of N workers."""


@contextmanager
def server_processes(
    database_url: str, directory: Path, *, count: int = 1, workers: int = 1, env: Mapping[str, str] | None = None
) -> Iterator[list[Running]]:
    """``count`` separate ``toxplan serve`` processes (each with ``workers`` workers) on one
    database; yields them and stops them (their process groups) afterwards."""
    environment = {
        **os.environ,
        "TOXPLAN_DATABASE_URL": database_url,
        "TOXPLAN_DATA_DIR": str(directory),
        "TOXPLAN_CACHE_DIR": str(directory / "cache"),
        **(env or {}),
    }
    started: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for index in range(count):
            port = free_port()
            log = directory / f"server-{index}-{port}.log"
            command = [str(TOXPLAN), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
            with log.open("wb") as out:
                process = subprocess.Popen(
                    command, env=environment, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                )
            started.append((process, f"http://127.0.0.1:{port}", log))
        for process, url, log in started:
            wait_until_up(url, process, log)
        yield [Running(url, process.pid) for process, url, _ in started]
    finally:
        for process, _, _ in started:
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process, _, _ in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait(timeout=10)
