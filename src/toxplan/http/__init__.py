"""What the JSON API and the web pages share: request dependencies and access rules, the error
handler, sign-in cookies, path parameters and the middleware around every request.

It sits below both surfaces (``toxplan.api`` and ``toxplan.web`` never import each other) and
above the services; the app factory (``toxplan.app``) puts the pieces together.
"""
