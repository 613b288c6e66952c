"""Credentials as pure functions: password hashing and strength (Argon2id, zxcvbn) and
authenticator-app codes (TOTP). No session, request or database: the services that keep
accounts and the sign-in layer above them both use them."""
