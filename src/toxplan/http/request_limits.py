"""Limits every request meets before any handler runs: body size and NUL in the URL.

A body larger than ``limits.BODY_BYTES`` is refused with 413 in the one error shape: at once
when its Content-Length says so (nothing of it is read, so a 10 MB upload costs the server
nothing), or as soon as a streamed body grows past the limit. A NUL in the path or query is
refused with 422 before it can reach a database lookup.
"""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from toxplan import limits


def _error(code: str, message: str, field: str | None) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "field": field}}).encode()


class RequestLimits:
    """Pure ASGI middleware, so the body is counted as it arrives, not after it was read."""

    def __init__(self, app: ASGIApp, *, max_body: int = limits.BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", ""):
            await self._refuse(send, 422, "invalid_input", "the path must not contain NUL characters", "path")
            return
        if b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
            await self._refuse(send, 422, "invalid_input", "the query must not contain NUL characters", "query")
            return
        declared = next((v for k, v in scope.get("headers", ()) if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await self._refuse(send, 413, "payload_too_large", self._too_large(), "body")
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, self._counting(receive), watched)
        except HTTPException as exc:
            # A middleware inside this one (repeated JSON keys) read the body itself, so the
            # refusal did not reach the API's handler: answer it here.
            if exc.status_code != 413 or started:
                raise
            await self._refuse(send, 413, "payload_too_large", self._too_large(), "body")

    def _too_large(self) -> str:
        return f"the request body is larger than {self.max_body:,} bytes"

    def _counting(self, receive: Receive) -> Receive:
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    # An HTTPException passes through the body parsers unchanged and the API's
                    # handler turns it into the error shape (413 payload_too_large).
                    raise HTTPException(413, self._too_large())
            return message

        return counted

    async def _refuse(self, send: Send, status: int, code: str, message: str, field: str | None) -> None:
        body = _error(code, message, field)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if status == 413:
            headers.append((b"connection", b"close"))  # the unread body is not waited for
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
