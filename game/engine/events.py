"""What the engine tells its caller, and what a chat remembers."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Event:
    """kind: chat_opened, buyer_typing, buyer_line, agent_line, feedback, state, outcome."""
    kind: str
    chat: str
    time: float
    text: str = ""
    data: dict = field(default_factory=dict)


@dataclass
class Message:
    time: float
    who: str            # "buyer" or "agent"
    text: str
    kind: str = "line"  # buyer: line, nudge, confused, repeat, leave; agent: line, or message (buyer away)
    wait: float = 0.0   # agent lines: seconds the buyer had waited
    first: bool = False
    typing_started: float | None = None
    intents: tuple[str, ...] = ()
    feedback: object = None  # agent lines: what the judge (scoring) said about it
    situation: str | None = None  # agent lines: the situation the persona's state named, if any
