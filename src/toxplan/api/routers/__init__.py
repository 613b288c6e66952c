"""API routes, one module per resource. Handlers are thin: parse, call a service, shape."""
