"""Security headers on every response.

- ``Content-Security-Policy``: scripts, styles and everything else from this server only; no
  inline script, no inline style, no plugins, no framing (``frame-ancestors 'none'``), forms
  post only here. The API documentation pages load Swagger UI (``/docs``) and ReDoc (``/redoc``)
  from this server too; Swagger UI works under the same policy, ReDoc alone may add inline styles
  and start its search worker from a blob.
- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer``
  (page addresses carry patient ids and searches).
- ``Cache-Control: private, no-store`` on everything but the static files: pages and API answers carry
  patient data, and no browser or proxy cache may keep them.
- ``Strict-Transport-Security`` when the request came over HTTPS.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
REDOC_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def _https(scope: Scope) -> bool:
    if scope.get("scheme") == "https":
        return True
    return any(k == b"x-forwarded-proto" and v == b"https" for k, v in scope.get("headers", ()))


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        policy = REDOC_CSP if path == "/redoc" else CSP
        extra = [(b"content-security-policy", policy.encode()), *COMMON]
        if not path.startswith("/static/"):
            extra.append((b"cache-control", b"private, no-store"))
        if _https(scope):
            extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

        ours = {name for name, _ in extra}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in ours]
                message["headers"] = kept + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)
