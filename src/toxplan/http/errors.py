"""One error shape for every API failure: ``{"error": {"code", "message", "field"}}``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from toxplan.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    KnowledgeBaseError,
    NotFound,
    PlanNotAvailable,
    ToxPlanError,
)
from toxplan.primitives.fields import LOCATION_ROOTS, field_path

STATUS: dict[type[ToxPlanError], int] = {
    InvalidInput: 422,
    PlanNotAvailable: 422,
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    KnowledgeBaseError: 503,
}


class Unauthenticated(ToxPlanError):
    code = "unauthenticated"


class CsrfRejected(ToxPlanError):
    code = "csrf_rejected"


class RateLimited(ToxPlanError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, field="password")
        self.retry_after = retry_after


STATUS.update({Unauthenticated: 401, CsrfRejected: 403, RateLimited: 429})

ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"description": description, "model": None}
    for status, description in (
        (401, "Not signed in"),
        (403, "Role not allowed, or CSRF token missing"),
        (404, "Not found"),
        (409, "Refused by the records"),
        (413, "Request body too large"),
        (422, "Invalid input"),
    )
}


def error_body(code: str, message: str, field: str | None) -> dict[str, dict[str, str | None]]:
    return {"error": {"code": code, "message": message, "field": field}}


def install(app: FastAPI) -> None:
    @app.exception_handler(ToxPlanError)
    async def domain_error(request: Request, exc: ToxPlanError) -> JSONResponse:
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return JSONResponse(error_body(exc.code, exc.message, exc.field), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        loc = [p for p in first.get("loc", ()) if p not in LOCATION_ROOTS]
        field = field_path(loc) or None
        message = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
        return JSONResponse(error_body("invalid_input", message, field), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            400: "invalid_input",  # a body that is not JSON, or nested too deeply to read
            404: "not_found",
            405: "method_not_allowed",
            413: "payload_too_large",
        }.get(exc.status_code, "http_error")
        field = "body" if exc.status_code in (400, 413) else None
        return JSONResponse(error_body(code, str(exc.detail), field), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Never a traceback to the client; the server log keeps it.
        request.app.state.logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal_error", "unexpected server error", None), status_code=500)
