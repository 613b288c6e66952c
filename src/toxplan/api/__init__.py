"""The JSON API (FastAPI routers under /api/v1). The app factory (``toxplan.app``) mounts it
beside the web pages; what both share lives in ``toxplan.http``."""
