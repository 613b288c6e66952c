"""The JSON API (FastAPI) and the application factory that also mounts the web pages."""
