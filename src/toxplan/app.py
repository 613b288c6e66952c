"""The application factory: the JSON API under /api/v1 and the web pages, one error handler each,
with the middleware both share. It sits above ``toxplan.api`` and ``toxplan.web``, which never
import each other (their shared pieces are in ``toxplan.http``)."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from toxplan import __version__
from toxplan.api.routers import account as account_routes
from toxplan.api.routers import audit as audit_routes
from toxplan.api.routers import (
    checks,
    exports,
    inventory,
    knowledge,
    outcomes,
    patients,
    photos,
    plans,
    system,
    treatments,
)
from toxplan.api.routers import users as user_routes
from toxplan.api.routers.reports import router as reports_router
from toxplan.api.routers.titration import router as titration_router
from toxplan.db.engine import make_engine, session_factory
from toxplan.http import errors
from toxplan.http.denials import AuditDenials
from toxplan.http.headers import SecurityHeaders
from toxplan.http.json_keys import RefuseRepeatedKeys
from toxplan.http.request_limits import RequestLimits
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import load_cached, load_policy
from toxplan.knowledge.policy import Policy
from toxplan.settings import Settings, get_settings
from toxplan.web.routes import mount as mount_web

API_PREFIX = "/api/v1"
ROUTERS = [
    system.router,
    knowledge.router,
    plans.router,
    checks.router,
    patients.router,
    treatments.router,
    outcomes.router,
    inventory.router,
    exports.router,
    titration_router,
    reports_router,
    photos.router,
    account_routes.router,
    user_routes.router,
    audit_routes.router,
    patients.forms,
]
"""API routers; resource routers register here as they are added."""


def create_app(
    settings: Settings | None = None,
    *,
    kb: KnowledgeBase | None = None,
    policy: Policy | None = None,
) -> FastAPI:
    """The app for ``settings`` (default: from the environment). Its knowledge base and clinic
    policy are ``kb`` and ``policy`` when given, else those the settings name
    (``TOXPLAN_KNOWLEDGE_DIR``, ``TOXPLAN_POLICY``): every check applies the clinic policy."""
    settings = settings or get_settings()
    app = FastAPI(
        title="ToxPlan",
        version=__version__,
        description=(
            "Botulinum toxin treatment planning, label safety checks and treatment records. "
            "Sign in with POST /api/v1/session; send the returned csrf_token in the X-CSRF-Token "
            "header of every state-changing request. Every error has the shape "
            '{"error": {"code", "message", "field"}}. Request bodies over 1,000,000 bytes '
            "get 413 (payload_too_large); text never holds NUL characters."
        ),
        docs_url=None,  # /docs and /redoc are served offline by web.routes.api_docs
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    engine = make_engine(settings.database_url)
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.kb = kb or load_cached(settings.knowledge_dir, settings.cache_dir)
    app.state.policy = policy or (load_policy(settings.policy_path, app.state.kb) if settings.policy_path else None)
    app.state.settings = settings
    app.state.logger = logging.getLogger("toxplan")
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    mount_web(app)
    install_middleware(app)
    return app


def install_middleware(app: FastAPI) -> None:
    """From the outside in: security headers on every response (refusals included); the body
    size limit (413) and NUL in the URL, before anything reads the body; JSON bodies with a
    repeated key refused; refused requests for patient data audited."""
    app.add_middleware(AuditDenials)  # the last added runs first
    app.add_middleware(RefuseRepeatedKeys)
    app.add_middleware(RequestLimits)
    app.add_middleware(SecurityHeaders)


def app_from_environment() -> FastAPI:
    """The app of one ``toxplan serve --workers N`` process: everything from the environment."""
    return create_app(get_settings())
