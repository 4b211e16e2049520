"""Several chats side by side on one clock, as a real agent serves several buyers at once."""
from __future__ import annotations

import numpy as np

from game.content.model import Persona

from .conversation import Conversation
from .events import Event


class Desk:
    def __init__(self, reader, clock, rng: np.random.Generator, *, defaults=None,
                 judge=None):
        self.reader = reader
        self.clock = clock
        self.rng = rng
        self.defaults = defaults
        self.judge = judge
        self.chats: dict[str, Conversation] = {}
        self._arrivals: list[tuple[float, int, Persona, str]] = []
        self._n = 0

    def open(self, persona: Persona, chat_id: str | None = None) -> Conversation:
        """A buyer opens a chat now."""
        self._n += 1
        return self._make(persona, chat_id or f"{persona.id}#{self._n}")

    def _make(self, persona: Persona, cid: str) -> Conversation:
        # Each chat gets a seed of its own, drawn from the desk's: stored with the chat, it replays alone.
        seed = int(self.rng.integers(2**31 - 1))
        conv = Conversation(persona, self.reader, self.clock, np.random.default_rng(seed), chat_id=cid,
                            judge=self.judge, defaults=self.defaults, seed=seed)
        self.chats[cid] = conv
        return conv

    def arrive(self, persona: Persona, at: float, chat_id: str | None = None) -> None:
        """Schedule a buyer to open a chat at clock time `at` (a shift of several buyers)."""
        self._n += 1
        self._arrivals.append((at, self._n, persona, chat_id or f"{persona.id}#{self._n}"))
        self._arrivals.sort(key=lambda a: (a[0], a[1]))

    def say(self, chat_id: str, text: str, typing_started: float | None = None) -> list[Event]:
        return self.chats[chat_id].trainee_says(text, typing_started=typing_started)

    def tick(self) -> list[Event]:
        now = self.clock.now()
        out: list[Event] = []
        while self._arrivals and self._arrivals[0][0] <= now:
            _, _, persona, cid = self._arrivals.pop(0)
            self._make(persona, cid)
            out.append(Event("chat_opened", cid, now, persona.title))
        for conv in self.chats.values():
            out.extend(conv.tick())
        return out

    def close(self) -> None:
        """Detach every chat from its persona's shared machine (the round is over)."""
        for conv in self.chats.values():
            conv.close()

    @property
    def active(self) -> list[Conversation]:
        return [c for c in self.chats.values() if not c.finished]

    @property
    def done(self) -> bool:
        return not self._arrivals and not self.active

    def next_due(self) -> float | None:
        times = [t for c in self.chats.values() if (t := c.next_due()) is not None]
        if self._arrivals:
            times.append(self._arrivals[0][0])
        return min(times) if times else None
