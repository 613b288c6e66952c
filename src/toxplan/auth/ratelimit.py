"""Sign-in attempts: a few failures per key (address, e-mail) per window, then a pause."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class SignInLimiter:
    """In-process sliding window. One server process serves a clinic; a shared store would be
    needed to limit across several processes."""

    def __init__(self, *, failures: int = 5, window_s: float = 300.0, clock: Callable[[], float] = time.monotonic):
        self.failures = failures
        self.window_s = window_s
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        attempts = self._seen.setdefault(key, deque())
        while attempts and attempts[0] <= now - self.window_s:
            attempts.popleft()
        return attempts

    def retry_after(self, *keys: str) -> int:
        """Seconds to wait before another attempt (0 when allowed)."""
        now = self.clock()
        with self._lock:
            waits = [
                self.window_s - (now - attempts[0])
                for key in keys
                if len(attempts := self._recent(key, now)) >= self.failures
            ]
        return int(max(waits)) + 1 if waits else 0

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._seen.pop(key, None)
