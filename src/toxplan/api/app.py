"""The application factory: the JSON API under /api/v1, the web pages, one error handler each."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI

from toxplan import __version__
from toxplan.api import errors
from toxplan.api.routers import checks, inventory, knowledge, outcomes, patients, plans, system, treatments
from toxplan.auth.ratelimit import SignInLimiter
from toxplan.db.engine import make_engine, session_factory
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
    patients.forms,
]
"""API routers; resource routers register here as they are added."""


def create_app(
    settings: Settings | None = None,
    *,
    kb: KnowledgeBase | None = None,
    policy: Policy | None = None,
    policy_file: Path | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="ToxPlan",
        version=__version__,
        description=(
            "Botulinum toxin treatment planning, label safety checks and treatment records. "
            "Sign in with POST /api/v1/session; send the returned csrf_token in the X-CSRF-Token "
            "header of every state-changing request. Every error has the shape "
            '{"error": {"code", "message", "field"}}.'
        ),
        docs_url=None,  # /docs and /redoc are served offline by web.routes.api_docs
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    engine = make_engine(settings.database_url)
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.kb = kb or load_cached()
    app.state.policy = policy or (load_policy(policy_file, app.state.kb) if policy_file else None)
    app.state.limiter = SignInLimiter()
    app.state.logger = logging.getLogger("toxplan")
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    mount_web(app)
    return app
