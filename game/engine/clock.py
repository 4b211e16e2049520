"""Injected time: the game uses the system's monotonic clock, tests and simulations a manual one."""
from __future__ import annotations

import time


class SystemClock:
    def __init__(self):
        self._t0 = time.monotonic()

    def now(self) -> float:
        """Seconds since this clock was made."""
        return time.monotonic() - self._t0


class ManualClock:
    """A clock that moves only when told to, so scripted chats replay identically."""

    def __init__(self, start: float = 0.0):
        self._t = float(start)

    def now(self) -> float:
        return self._t

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._t += seconds
        return self._t

    def set(self, t: float) -> None:
        if t < self._t:
            raise ValueError("a clock cannot go backwards")
        self._t = float(t)
