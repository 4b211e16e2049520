"""Writes a chat to the store as it happens: one committed transaction per message.

    rec = SessionRecorder(store, profile="小王", persona=persona, seed=7, content_root=lib.root)
    rec.start(conv)
    ... events = conv.trainee_says(text); rec.sync(conv) ...   (and after every tick that returns events)
    rec.finish(conv, report)      # report: the scorer's chat report, or None
    rec.close()                   # a chat not finished is marked interrupted

A process killed between two calls loses nothing already synced, and the next store that opens
marks the session interrupted. A store failure never stops the chat: the recorder keeps the
first error in `error` and stops writing.
"""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from .db import Store, StoredMessage, StoredTransition, StoreError

_AFTER_SALES = {"damaged_goods", "lost_parcel", "complainer", "return_no_fault", "bad_review_threat",
                "address_change"}


def _file_hash(path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except (OSError, TypeError):
        return "-"


def content_hash(persona, content_root: Path | str | None = None) -> str:
    """A hash of what decides a replay: the persona file, its shop file and the rules files."""
    h = hashlib.sha256()
    h.update(f"persona:{getattr(persona, 'digest', '')}\n".encode())
    shop = getattr(getattr(persona, "shop", None), "path", "")
    h.update(f"shop:{_file_hash(shop) if shop else '-'}\n".encode())
    if content_root is not None:
        rules = Path(content_root) / "rules"
        for f in sorted(rules.glob("*.yaml")) if rules.is_dir() else ():
            h.update(f"{f.name}:{_file_hash(f)}\n".encode())
    return h.hexdigest()[:16]


def persona_info(persona) -> dict:
    """What the store keeps about the persona beside its id: limits for diagnosis, names for reports."""
    b = getattr(persona, "buyer", None)
    shop = getattr(persona, "shop", None)
    product = getattr(persona, "product", None)
    arch = getattr(persona, "archetype", "")
    return {
        "archetype": arch,
        "kind": "after_sales" if arch in _AFTER_SALES else "sale",
        "difficulty": getattr(persona, "difficulty", None),
        "buyer": getattr(b, "name", ""),
        "first_reply": getattr(b, "first_reply", 15.0),
        "reply": getattr(b, "reply", 20.0),
        "shop": getattr(shop, "name", ""),
        "product": getattr(product, "name", ""),
        "list_price": getattr(persona, "list_price", None),
        "floor_price": getattr(persona, "floor_price", None),
    }


class SessionRecorder:
    def __init__(self, store: Store, *, profile: str, persona, mode: str = "practice", seed: int | None = None,
                 source: str = "play", content_root: Path | str | None = None):
        self.store = store
        self.profile = profile
        self.persona = persona
        self.mode = mode
        self.seed = seed
        self.source = source
        self.content_hash = content_hash(persona, content_root)
        self.session_id: int | None = None
        self.error: str | None = None
        self._error_told = False
        self.finished = False
        self._n_msgs = 0
        self._n_states = 0
        self._no_feedback: dict[int, object] = {}  # seq -> Message written before its feedback was known
        self._t0 = 0.0

    # ------------------------------------------------------------ public
    def start(self, conv=None) -> int | None:
        if self.session_id is not None:
            return self.session_id
        self._t0 = getattr(conv, "started", 0.0) if conv is not None else 0.0
        self._guard(lambda: setattr(self, "session_id", self.store.begin_session(
            self.profile, self.persona.id, persona_title=getattr(self.persona, "title", ""),
            persona_digest=getattr(self.persona, "digest", ""), content_hash=self.content_hash, mode=self.mode,
            source=self.source, seed=self.seed, info=persona_info(self.persona),
            state=getattr(conv, "state", None), mood=getattr(conv, "mood", None))))
        if conv is not None and self._ok:  # a store that cannot begin a session is not asked again
            self.sync(conv)
        return self.session_id

    def sync(self, conv, events=None) -> None:
        """Write whatever the chat said or did since the last call (events are accepted, not needed)."""
        if self.session_id is None and self.error is None:
            self.start(conv)
        if not self._ok:
            return
        sid = self.session_id
        transcript = conv.transcript
        while self._n_msgs < len(transcript) and self._ok:
            m = transcript[self._n_msgs]
            seq = self._n_msgs
            sm = StoredMessage(seq=seq, time=round(m.time - self._t0, 3), who=m.who, kind=m.kind, text=m.text,
                               wait=round(float(m.wait or 0.0), 3), first=bool(m.first),
                               typing_started=(None if m.typing_started is None
                                               else round(m.typing_started - self._t0, 3)),
                               intents=list(m.intents or ()), feedback=m.feedback)
            if self._guard(lambda: self.store.add_message(sid, sm, state=conv.state, mood=conv.mood)):
                self._n_msgs += 1
                if m.who == "agent" and m.feedback is None and getattr(conv, "judge", None) is not None:
                    self._no_feedback[seq] = m
        for seq, m in list(self._no_feedback.items()):
            if m.feedback is not None and self._guard(lambda: self.store.set_feedback(sid, seq, m.feedback)):
                del self._no_feedback[seq]
        history = conv.history
        while self._n_states < len(history) and self._ok:
            t, trig, src, dst = history[self._n_states]
            st = StoredTransition(self._n_states, round(t - self._t0, 3), trig, src, dst)
            if self._guard(lambda: self.store.add_transition(sid, st, mood=conv.mood)):
                self._n_states += 1
        if conv.finished and not self.finished:
            self.finish(conv)

    record = sync  # the game may call it with the events of each engine call

    def finish(self, conv, report=None) -> None:
        """Store the outcome (and the report when given); calling it again later adds the report."""
        if self.session_id is None and self.error is None:
            self.start(conv)
        if not self._ok:
            return
        if self._n_msgs < len(conv.transcript) or self._n_states < len(conv.history):
            self.sync(conv)  # sync calls finish again once caught up
            if self.finished and report is None:
                return
        sid = self.session_id
        if self.finished:
            if report is not None:
                self._guard(lambda: self.store.set_report(sid, report))
            return
        outcome = conv.outcome
        if outcome is None:
            return
        vars_ = getattr(conv, "vars", {})
        info = {"turns": vars_.get("turns"), "offer_price": vars_.get("offer_price"),
                "concessions": vars_.get("concessions"), "nudges": vars_.get("nudges")}
        if self._guard(lambda: self.store.finish_session(
                sid, outcome=outcome, reason=getattr(conv, "outcome_reason", "") or conv.state, state=conv.state,
                mood=conv.mood, flags=list(getattr(conv, "flags", ())), report=report, info_update=info)):
            self.finished = True

    def close(self, reason: str = "quit") -> None:
        """End the recording; a chat that did not finish is stored as interrupted."""
        if self.session_id is not None and not self.finished and self._ok:
            sid = self.session_id
            self._guard(lambda: self.store.interrupt_session(sid, reason))

    def new_error(self) -> str | None:
        """The store error, the first time it is asked for (so a UI shows it once)."""
        if self.error is None or self._error_told:
            return None
        self._error_told = True
        return self.error

    def __enter__(self) -> "SessionRecorder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ internals
    @property
    def _ok(self) -> bool:
        return self.error is None and self.session_id is not None

    def _guard(self, fn) -> bool:
        if self.error is not None:
            return False
        try:
            fn()
            return True
        except (sqlite3.Error, StoreError, OSError) as exc:
            self.error = (f"无法保存聊天记录 ({exc}),本次练习不会被记录。\n"
                          f"Cannot save the chat ({exc}); this session will not be recorded further.")
            return False
