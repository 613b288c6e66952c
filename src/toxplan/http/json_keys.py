"""Refuse JSON request bodies that repeat a key: ``{"units": 4, "units": 40}`` would silently
mean 40 to the parser, and a clinical record must never depend on which copy wins.

A pure ASGI middleware: it reads a JSON body once, answers 422 in the one error shape naming
the repeated key (with its path, e.g. ``treatment.injections.1.units``), or hands the same
bytes on. Bodies that are not valid JSON pass through for the route's own parser to refuse.
"""

from __future__ import annotations

import json
from typing import Any

import anyio.to_thread
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

THREAD_ABOVE = 256 * 1024
"""Parse larger bodies off the event loop."""


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its key/value pairs in order, duplicates kept."""


def repeated_key(body: bytes) -> str | None:
    """The path of the first repeated key in a JSON document, or None (also for invalid JSON)."""
    try:
        document = json.loads(body, object_pairs_hook=_Pairs)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, _Pairs):
            seen: set[str] = set()
            for key, value in node:
                where = f"{path}.{key}" if path else key
                if key in seen:
                    return where
                seen.add(key)
                stack.append((value, where))
        elif isinstance(node, list):
            stack.extend((value, f"{path}.{i}" if path else str(i)) for i, value in enumerate(node))
    return None


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            kind = value.split(b";")[0].strip().lower()
            return bool(kind == b"application/json" or kind.endswith(b"+json"))
    return False


class RefuseRepeatedKeys:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS") or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if len(body) > THREAD_ABOVE:
            path = await anyio.to_thread.run_sync(repeated_key, body)
        else:
            path = repeated_key(body)
        if path is not None:
            error = {
                "code": "invalid_input",
                "message": f"the key {path.split('.')[-1]!r} appears twice",
                "field": path,
            }
            await JSONResponse({"error": error}, status_code=422)(scope, receive, send)
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)


def _replay(messages: list[Message], then: Receive) -> Receive:
    """The messages already read, then the client's own (to hear a disconnect)."""
    queue = list(messages)

    async def receive() -> Message:
        return queue.pop(0) if queue else await then()

    return receive
