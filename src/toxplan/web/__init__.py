"""Server-rendered web pages (Jinja2 templates, a little plain JavaScript)."""
