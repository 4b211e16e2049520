"""Play a stored session again: the same seed, the trainee's stored lines at their stored times,
against the persona as it is now. Shows that a session is reproducible (same content, same buyer
lines) or where the current content makes the buyer behave differently.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .db import Session, StoredMessage

TIME_TOLERANCE = 0.5  # seconds: live play checks patience every 50 ms, a rerun at the exact deadline


@dataclass
class Rerun:
    same: bool
    content_changed: bool
    differences: list[str] = field(default_factory=list)
    outcome: str | None = None
    transcript: list = field(default_factory=list)


def advance(conv, clock, target: float) -> None:
    """Move the clock to `target`, stopping at every moment the buyer can act (as the game's ticks do)."""
    last = None
    while True:
        due = conv.next_due()
        if due is None or due > target or due == last:
            break
        last = due
        clock.set(max(due, clock.now()))
        conv.tick()
    clock.set(max(target, clock.now()))
    conv.tick()


def rerun(session: Session, messages: list[StoredMessage], persona, reader, *, defaults=None,
          judge=None) -> Rerun:
    from game.engine.clock import ManualClock
    from game.engine.conversation import Conversation

    clock = ManualClock()
    conv = Conversation(persona, reader, clock, np.random.default_rng(session.seed or 0), chat_id=persona.id,
                        judge=judge, defaults=defaults)
    try:
        conv.tick()
        end = messages[-1].time if messages else 0.0
        for m in messages:
            if m.who != "agent":
                continue
            advance(conv, clock, m.time)
            if conv.finished:
                break
            conv.trainee_says(m.text, typing_started=m.typing_started)
        if session.status == "finished":
            end = max(end, clock.now())
            limit = end + 3600
            while not conv.finished and (due := conv.next_due()) is not None and due <= limit:
                advance(conv, clock, due)
        else:
            advance(conv, clock, end)
    finally:
        conv.close()

    diffs: list[str] = []
    got = conv.transcript
    for i in range(max(len(messages), len(got))):
        a = messages[i] if i < len(messages) else None
        b = got[i] if i < len(got) else None
        if a is None:
            diffs.append(f"#{i} 多出: {b.who} “{b.text}” ({b.time:.1f}s)")
        elif b is None:
            diffs.append(f"#{i} 缺少: {a.who} “{a.text}” ({a.time:.1f}s)")
        elif (a.who, a.kind, a.text) != (b.who, b.kind, b.text):
            diffs.append(f"#{i} 不同: 记录 {a.who} “{a.text}” / 重现 {b.who} “{b.text}”")
        elif abs(a.time - (b.time - conv.started)) > TIME_TOLERANCE:
            diffs.append(f"#{i} 时间不同: 记录 {a.time:.1f}s / 重现 {b.time - conv.started:.1f}s “{a.text}”")
    if session.status == "finished" and conv.outcome != session.outcome:
        diffs.append(f"结果不同: 记录 {session.outcome} / 重现 {conv.outcome}")
    changed = bool(session.persona_digest) and session.persona_digest != getattr(persona, "digest", "")
    return Rerun(not diffs, changed, diffs, conv.outcome, got)
