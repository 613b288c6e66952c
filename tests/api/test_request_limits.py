"""Request bodies have one size limit on every endpoint (413 in the one error shape), and a
huge upload is refused without being read, so it cannot hold up other clinics' requests.

The server tests run ``toxplan``'s app under uvicorn on a loopback port and talk raw HTTP, so
what is measured is what a client sees: the answer to a 10 MB upload arrives although only a
small part of its body was ever sent.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from tests.api.conftest import API, World, assert_error, build_app
from toxplan import limits
from toxplan.knowledge.base import KnowledgeBase

TEN_MB = 10 * 1024 * 1024
WAIT = 30.0
"""Socket timeout: far above any real answer; reaching it means the server waited for the body."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Iterator[tuple[str, int]]:
    app: FastAPI = build_app(tmp_path_factory.mktemp("limits"), kb)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(500):
        if running.started:
            break
        time.sleep(0.01)
    assert running.started
    host, port = running.servers[0].sockets[0].getsockname()[:2]
    yield host, port
    running.should_exit = True
    thread.join(timeout=10)


def _answer(connection: socket.socket) -> tuple[int, dict[str, object]]:
    """Status and JSON body of one HTTP/1.1 answer (Content-Length framed)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, "connection closed before an answer"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(v) for k, _, v in (line.partition(": ") for line in lines[1:]) if k.lower() == "content-length")
    while len(rest) < length:
        chunk = connection.recv(65536)
        assert chunk, "connection closed mid-answer"
        rest += chunk
    return status, json.loads(rest[:length])


def _health(address: tuple[str, int]) -> int:
    with socket.create_connection(address, timeout=WAIT) as connection:
        connection.sendall(f"GET {API}/health HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n".encode())
        return _answer(connection)[0]


def test_a_10_mb_body_is_refused_before_it_is_read(server: tuple[str, int]) -> None:
    with socket.create_connection(server, timeout=WAIT) as upload:
        upload.sendall(
            (
                f"POST {API}/check HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                f"Content-Length: {TEN_MB}\r\n\r\n"
            ).encode()
        )
        upload.sendall(b'{"treatment": {"injections": [' + b" " * 65536)  # the rest is never sent
        status, body = _answer(upload)
        assert _health(server) == 200  # answered while the upload is still open
    assert status == 413
    assert body == {
        "error": {"code": "payload_too_large", "message": body["error"]["message"], "field": "body"}  # type: ignore[index]
    }


def test_a_streamed_body_is_cut_off_at_the_limit_and_health_keeps_answering(server: tuple[str, int]) -> None:
    with socket.create_connection(server, timeout=WAIT) as upload:
        upload.sendall(
            (
                f"POST {API}/check HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                f"Transfer-Encoding: chunked\r\n\r\n"
            ).encode()
        )
        piece = b" " * 65536
        sent = 0
        while sent <= limits.BODY_BYTES + len(piece):
            upload.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sent += len(piece)
            if sent == 4 * len(piece):
                assert _health(server) == 200  # other requests go on while a body streams in
        status, body = _answer(upload)
    assert status == 413
    assert body["error"]["code"] == "payload_too_large"  # type: ignore[index]


def test_the_limit_is_the_same_on_every_endpoint(world: World) -> None:
    client = world.clinic["injector"]
    over = b" " * (limits.BODY_BYTES + 1)
    for method, path in (("POST", f"{API}/check"), ("POST", f"{API}/patients"), ("POST", f"{API}/session")):
        response = client.request(method, path, content=over, headers={"content-type": "application/json"})
        assert_error(response, 413, "payload_too_large", "body")
    page = client.post("/patients/new", content=over, headers={"content-type": "application/x-www-form-urlencoded"})
    assert page.status_code == 413
    at_limit = b'{"treatment": {"product": "botox", "injections": []}}'.ljust(limits.BODY_BYTES)
    response = client.post(f"{API}/check", content=at_limit, headers={"content-type": "application/json"})
    assert response.status_code == 422  # read and validated: just at the limit is not too large


def test_the_check_engine_runs_off_the_event_loop() -> None:
    from toxplan.api.routers import checks  # noqa: PLC0415

    # FastAPI runs plain functions in its thread pool; a coroutine would run the engine on the loop.
    assert not checks.check_plan.__code__.co_flags & 0x80  # CO_COROUTINE


def test_the_documented_limit_is_the_enforced_one() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"{limits.BODY_BYTES:,}" in readme
