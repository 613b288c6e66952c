"""What a 10 MB request costs the server: how soon it is refused, and /health meanwhile.

Starts `toxplan serve` (one process, SQLite in a temporary folder) on loopback, then
(1) sends the headers of a 10 MB POST /api/v1/check and 64 kB of its body, and times the 413;
(2) times GET /api/v1/health while idle and while four clients stream 10 MB chunked bodies
as fast as loopback allows. Prints figures, asserts nothing; every loop is bounded.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TOXPLAN = str(Path(sys.executable).parent / "toxplan")
TEN_MB = 10 * 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def status_of(connection: socket.socket) -> int:
    data = b""
    while b"\r\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            return 0
        data += chunk
    return int(data.split()[1])


def refused_after(address: tuple[str, int]) -> float:
    with socket.create_connection(address, timeout=30) as upload:
        started = time.perf_counter()
        upload.sendall(
            f"POST /api/v1/check HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\n"
            f"Content-Length: {TEN_MB}\r\n\r\n".encode()
            + b" " * 65536
        )
        status = status_of(upload)
        assert status == 413, status
        return time.perf_counter() - started


def health(address: tuple[str, int]) -> float:
    with socket.create_connection(address, timeout=30) as connection:
        started = time.perf_counter()
        connection.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n")
        status_of(connection)
        return time.perf_counter() - started


def stream(address: tuple[str, int], stop: threading.Event) -> None:
    piece = b" " * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    while not stop.is_set():
        try:
            with socket.create_connection(address, timeout=30) as upload:
                upload.sendall(
                    b"POST /api/v1/check HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n"
                )
                for _ in range(TEN_MB // len(piece)):
                    if stop.is_set():
                        break
                    upload.sendall(chunk)
        except OSError:
            continue  # refused mid-stream: start the next upload


def latencies(address: tuple[str, int], count: int = 200) -> str:
    times = sorted(health(address) for _ in range(count))
    return f"p50 {statistics.median(times) * 1000:5.1f} ms  p99 {times[int(count * 0.99)] * 1000:6.1f} ms"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "TOXPLAN_DATABASE_URL": f"sqlite:///{folder}/bench.db"}
        subprocess.run([TOXPLAN, "db", "upgrade"], env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [TOXPLAN, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        address = ("127.0.0.1", port)
        try:
            for _ in range(100):
                try:
                    health(address)
                    break
                except OSError:
                    time.sleep(0.1)
            refusals = sorted(refused_after(address) for _ in range(20))
            print(f"10 MB upload refused with 413 after {statistics.median(refusals) * 1000:.1f} ms (median of 20)")
            print(f"GET /api/v1/health idle:                         {latencies(address)}")
            stop = threading.Event()
            uploads = [threading.Thread(target=stream, args=(address, stop)) for _ in range(4)]
            for upload in uploads:
                upload.start()
            time.sleep(0.5)
            print(f"GET /api/v1/health with 4 streaming 10 MB uploads: {latencies(address)}")
            stop.set()
            for upload in uploads:
                upload.join(timeout=30)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
