"""The interactive API documentation (Swagger UI) at ``/docs``, without inline script: the
page loads Swagger UI from its CDN and starts it from ``/static/swagger-init.js``, so the
Content-Security-Policy holds here too."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from toxplan.api.deps import Allow

router = APIRouter(include_in_schema=False)
SWAGGER = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"
PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ToxPlan API</title>
<link rel="stylesheet" href="{SWAGGER}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="/api/v1/openapi.json"></div>
<script src="{SWAGGER}/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse, dependencies=[Depends(Allow(public=True))])
def docs() -> HTMLResponse:
    return HTMLResponse(PAGE)
