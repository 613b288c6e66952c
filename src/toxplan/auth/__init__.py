"""Signing in: password hashing, sessions, CSRF tokens and sign-in rate limiting."""
