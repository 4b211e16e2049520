"""Scripted trainee lines, played against a persona on a manual clock.

A script has one step a line:

    +4s 亲,您好!很高兴为您服务      wait 4 seconds, then send
    这款有现货的哦                  no delay given: DEFAULT_DELAY seconds
    +30s                            stay silent for 30 seconds
    # a comment; blank lines are skipped

A delay counts as a trainee would: from the later of the previous step and the buyer's latest line,
and a buyer who is still typing is let finish first. So `+4s` means "4 seconds after reading it".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from game.content.model import Persona

from .clock import ManualClock
from .conversation import Conversation
from .events import Event

DEFAULT_DELAY = 5.0
DRAIN_LIMIT = 600.0  # seconds a finished script waits for the buyer to end the chat
_STEP = re.compile(r"^\+\s*(\d+(?:\.\d+)?)\s*(s|秒|m|分)?(?:\s(.*))?$")  # the body is stripped


class ScriptError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Step:
    delay: float
    text: str | None  # None: a silent wait
    line: int


def parse_script(text: str, first_line: int = 1) -> list[Step]:
    steps: list[Step] = []
    for i, raw in enumerate(text.splitlines()):
        n = first_line + i
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("+"):
            m = _STEP.match(line)
            if not m:
                raise ScriptError(n, f"bad delay in '{line}'; write it as '+12s 文本' or '+30s' to stay silent")
            secs = float(m.group(1)) * (60 if m.group(2) in ("m", "分") else 1)
            body = (m.group(3) or "").strip()
            steps.append(Step(secs, body or None, n))
        else:
            steps.append(Step(DEFAULT_DELAY, line, n))
    return steps


@dataclass
class SimResult:
    persona: Persona
    seed: int
    conversation: Conversation
    events: list[Event] = field(default_factory=list)

    @property
    def outcome(self) -> str | None:
        return self.conversation.outcome

    def to_dict(self) -> dict:
        c = self.conversation
        return {
            "persona": self.persona.id,
            "seed": self.seed,
            "outcome": c.outcome,
            "reason": c.outcome_reason or (c.state if c.outcome else "unfinished"),
            "state": c.state,
            "mood": round(c.mood, 1),
            "flags": list(c.flags),
            "vars": {k: (int(v) if float(v).is_integer() else round(v, 2)) for k, v in sorted(c.vars.items())},
            "transcript": [
                {"time": round(m.time, 2), "who": m.who, "text": m.text, "kind": m.kind,
                 **({"wait": round(m.wait, 2), "intents": list(m.intents)} if m.who == "agent" else {})}
                for m in c.transcript
            ],
            "states": [{"time": round(t, 2), "trigger": trig, "from": a, "to": b} for t, trig, a, b in c.history],
        }


def _run_until(conv: Conversation, clock: ManualClock, target: float, events: list[Event]) -> None:
    """Advance to `target`, stopping at every moment the buyer can act."""
    last = None
    while True:
        due = conv.next_due()
        if due is None or due > target or due == last:  # `due == last`: nothing moved, never spin
            break
        last = due
        clock.set(max(due, clock.now()))
        events.extend(conv.tick())
    clock.set(max(target, clock.now()))
    events.extend(conv.tick())


def simulate(persona: Persona, steps: list[Step], reader, *, seed: int = 0, defaults=None,
             judge=None, drain: bool = True) -> SimResult:
    clock = ManualClock()
    conv = Conversation(persona, reader, clock, np.random.default_rng(seed), chat_id=persona.id,
                        judge=judge, defaults=defaults, seed=seed)
    result = SimResult(persona, seed, conv)
    events = result.events
    events.extend(conv.tick())
    last_step = clock.now()
    for step in steps:
        if conv.finished:
            break
        while conv.buyer_typing and not conv.finished:
            _run_until(conv, clock, conv.next_due(), events)
        last_buyer = max((m.time for m in conv.transcript if m.who == "buyer"), default=0.0)
        _run_until(conv, clock, max(last_step, last_buyer) + step.delay, events)
        last_step = clock.now()
        if step.text is not None and not conv.finished:
            events.extend(conv.trainee_says(step.text))
    if drain:
        limit = clock.now() + DRAIN_LIMIT
        while not conv.finished and (due := conv.next_due()) is not None and due <= limit:
            _run_until(conv, clock, due, events)
    conv.close()
    return result
