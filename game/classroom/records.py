"""The store bridge of the classroom host: every write runs on one writer thread, and what is queued
is written as one batch (one transaction, one sync to disk). A result is acknowledged only once its
batch is committed, so an acknowledged result is never lost, and under load a result waits for one
commit, not for one commit per result before it.
"""
from __future__ import annotations

import concurrent.futures
import logging
import sqlite3
import threading

from game.store.db import StoredMessage, StoreError
from game.store.recorder import content_hash, persona_info

from .room import ChatRecord, Round
from .summary import stored_feedback, stored_report

log = logging.getLogger(__name__)


class Records:
    def __init__(self, store, lib, on_error):
        self.store = store
        self.lib = lib
        self._on_error = on_error  # called once with the first failure's text (the trainer is told)
        self.error: str | None = None
        self._writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="classroom-store")
        self._queue_lock = threading.Lock()
        self._queued: list = []  # (op, future) waiting for the writer's next batch

    def submit(self, op):
        if self.store is None:
            return None
        fut: concurrent.futures.Future = concurrent.futures.Future()
        with self._queue_lock:
            self._queued.append((op, fut))
        self._writer.submit(self._drain)
        return fut

    def _drain(self) -> None:
        with self._queue_lock:
            ops, self._queued = self._queued, []
        if not ops:
            return
        try:
            with self.store.batch():
                for op, _f in ops:
                    try:
                        op()
                    except (sqlite3.Error, StoreError, OSError, ValueError) as exc:
                        self._failed(exc)
        except (sqlite3.Error, StoreError, OSError, ValueError) as exc:  # the commit itself failed
            self._failed(exc)
        finally:
            for _op, f in ops:
                f.set_result(None)

    def _failed(self, exc) -> None:
        log.warning("classroom: store write failed: %s", exc)
        if self.error is None:
            self.error = str(exc)
            self._on_error(self.error)

    def flush(self, timeout: float) -> None:
        """Wait until everything queued so far is committed."""
        if self.store is not None:
            self._writer.submit(lambda: None).result(timeout)

    def close(self) -> None:
        self._writer.shutdown(wait=True)

    # ------------------------------------------------------------ what is written
    def begin(self, rec: ChatRecord, profile: str, persona, rnd: Round, role: str):
        info = dict(persona_info(persona), classroom=rnd.tag, round=rnd.id, role=role)
        chash = rnd.digests.get(persona.id) or content_hash(persona, self.lib.root)

        def op():
            rec.session_id = self.store.begin_session(
                profile, persona.id, persona_title=persona.title, persona_digest=persona.digest, content_hash=chash,
                mode=rnd.mode, source="classroom", seed=rec.seed if rec.seed is not None else rnd.seed, info=info)
        return self.submit(op)

    def message(self, rec: ChatRecord, m: dict):
        sm = StoredMessage(seq=m["n"], time=round(max(0.0, m["time"] - rec.opened), 3),
                           who=m["who"], kind=m["kind"], text=m["text"], wait=m["wait"], first=m["first"],
                           typing_started=None if m["typing"] is None else round(max(0.0, m["typing"] - rec.opened), 3),
                           intents=list(m["intents"]), feedback=stored_feedback(m["feedback"]))
        state, mood = m["state"], m["mood"]

        def op():
            if rec.session_id is not None:
                self.store.add_message(rec.session_id, sm, state=state, mood=mood)
        return self.submit(op)

    def feedback(self, rec: ChatRecord, n: int, fb: dict):
        stored = stored_feedback(fb)

        def op():
            if rec.session_id is not None:
                self.store.set_feedback(rec.session_id, n, stored)
        return self.submit(op)

    def finish(self, rec: ChatRecord):
        outcome, reason = rec.outcome, rec.reason
        rep = stored_report(rec.report, outcome)
        last = rec.messages[-1] if rec.messages else {}
        info = {"turns": sum(1 for m in rec.messages if m["who"] == "agent")}

        def op():
            if rec.session_id is None:
                return
            if outcome in ("success", "lost", "bad_review", "escalated"):
                self.store.finish_session(rec.session_id, outcome=outcome, reason=reason, state=last.get("state"),
                                          mood=last.get("mood"), flags=(rec.report or {}).get("flags", []), report=rep,
                                          info_update=info)
            else:
                self.store.interrupt_session(rec.session_id, reason or "round_end")
                if rep is not None:
                    self.store.set_report(rec.session_id, rep)
        return self.submit(op)
