"""The host's own judgement of a student's chat (issue 13).

A student sends what was said and when; the host plays the chat again from the same persona, the
chat's seed and the trainee's lines at their times (buyer lines are reproducible, and the content
digests were compared at round start), and scores every reply and the chat itself with its own
judge. What the student's machine computed is never what the board, podium, export or records show.

Headless and single-threaded per chat: the host runs every ChatReplay on one worker thread, in the
order the messages arrived, so acknowledgements never wait for scoring.
"""
from __future__ import annotations

import concurrent.futures
import logging

import numpy as np

from game.engine.clock import ManualClock
from game.store.rerun import advance

from .summary import cut, feedback_summary, line_text, report_summary

log = logging.getLogger(__name__)

END_LIMIT = 3600.0  # seconds the host plays on after the last line to reach a chat's end


class ChatReplay:
    def __init__(self, persona, seed: int, opened: float, reader, judge, defaults=None, chat_id: str = ""):
        from game.engine.conversation import Conversation
        self.judge = judge
        self.clock = ManualClock(opened)
        self.conv = Conversation(persona, reader, self.clock, np.random.default_rng(seed), chat_id=chat_id or persona.id,
                                 judge=judge, defaults=defaults, seed=seed)
        self.conv.tick()
        self.mismatch: str | None = None  # the first place the student's chat differs from the host's

    def _differs(self, why: str) -> None:
        if self.mismatch is None:
            self.mismatch = cut(why, 200)

    def message(self, n: int, who: str, text: str, time: float, typing: float | None = None) -> dict | None:
        """Take the student's message `n`; for an agent line, the host's FEEDBACK record of it."""
        conv = self.conv
        advance(conv, self.clock, max(time, self.clock.now()))
        fb = None
        if who == "agent":
            if conv.finished:
                self._differs(f"第 {n} 条: 主机重现的买家已结束对话")
                return None
            conv.trainee_says(text, typing_started=typing)
            mine = next((m for m in reversed(conv.transcript) if m.who == "agent"), None)
            fb = feedback_summary(mine.feedback) if mine is not None else None
        tr = conv.transcript
        if n >= len(tr):
            self._differs(f"第 {n} 条: 主机重现中没有这条{'买家' if who == 'buyer' else '客服'}消息")
        elif tr[n].who != who or line_text(tr[n].text) != text:
            self._differs(f"第 {n} 条不同: 学员端“{cut(text, 40)}” / 主机重现“{cut(tr[n].text, 40)}”")
        return fb

    def end(self, time: float, claimed: str) -> tuple[str, str, dict | None]:
        """(outcome, reason, REPORT record) as the host's replay has them at the chat's end."""
        conv = self.conv
        advance(conv, self.clock, max(time, self.clock.now()))
        if claimed != "unfinished":  # the student's buyer ended the chat: play on until the host's does
            limit = self.clock.now() + END_LIMIT
            while not conv.finished and (due := conv.next_due()) is not None and due <= limit:
                advance(conv, self.clock, due)
        outcome = conv.outcome or "unfinished"
        if outcome != claimed:
            self._differs(f"结果不同: 学员端 {claimed} / 主机重现 {outcome}")
        reason = conv.outcome_reason or (conv.state if conv.outcome else "round_end")
        report = None
        if self.judge is not None:
            from game.scoring.report import build_report
            report = build_report(conv, self.judge.scorer)
        summary = report_summary(report, conv)
        conv.close()
        return outcome, cut(reason, 64), summary


class Referee:
    """The host's scoring bridge: one worker thread replays each student's chat as its messages arrive
    (ChatReplay), puts the host's figures on the room's records and the board, and has them stored."""

    def __init__(self, lib, reader, judge, records, post, lock):
        self.lib, self.reader, self.judge = lib, reader, judge
        self._records, self._post, self._lock = records, post, lock
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="classroom-referee")
        self._closed = False

    def do(self, fn, *args) -> None:
        def run():
            try:
                fn(*args)
            except Exception:  # a chat the host cannot replay is left unscored, never given the student's figure
                log.exception("classroom: the referee failed on %s", getattr(fn, "__name__", fn))
        if not self._closed:
            self._pool.submit(run)

    def open(self, rec, persona) -> None:
        self.do(self._open, rec, persona)

    def message(self, rec, m: dict, name: str, rid: int) -> None:
        self.do(self._message, rec, m, name, rid)

    def end(self, rec, claimed: str, reason: str, end: float, name: str, rid: int) -> None:
        self.do(self._end, rec, claimed, reason, end, name, rid)

    def after(self, callback) -> None:
        """callback(future) once everything queued so far is scored."""
        self._pool.submit(lambda: None).add_done_callback(callback)

    def flush(self, timeout: float) -> None:
        self._pool.submit(lambda: None).result(timeout)

    def close(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)

    # ------------------------------------------------------------ on the worker thread
    def _open(self, rec, persona) -> None:
        if rec.seed is None:
            rec.mismatch = "学员端没有发送对话种子,无法重现"
            return
        rec.replay = ChatReplay(persona, rec.seed, rec.opened, self.reader, self.judge,
                                defaults=self.lib.buyer_defaults, chat_id=rec.chat)

    def _message(self, rec, m: dict, name: str, rid: int) -> None:
        fb = None
        if rec.replay is not None:
            typing = m["typing"] if m["typing"] is None else max(m["typing"], rec.opened)
            fb = rec.replay.message(m["n"], m["who"], m["text"], m["time"], typing)
            rec.mismatch = rec.replay.mismatch
        with self._lock:
            m["feedback"] = fb
        if fb is not None:
            self._records.feedback(rec, m["n"], fb)
        self._post("message", name=name, round=rid, chat=rec.chat, who=m["who"], text=m["text"],
                   time=round(m["time"] - rec.opened, 2), wait=m["wait"], score=(fb or {}).get("score"))

    def _end(self, rec, claimed: str, reason: str, end: float, name: str, rid: int) -> None:
        outcome, report = "unfinished", None
        if rec.replay is not None:
            outcome, reason, report = rec.replay.end(end, claimed)
            rec.mismatch = rec.replay.mismatch
            rec.replay = None
        if rec.mismatch:
            log.warning("classroom: %s's chat %s differs from the host's replay: %s", name, rec.chat, rec.mismatch)
        with self._lock:
            rec.outcome, rec.reason, rec.report = outcome, reason, report
        self._records.finish(rec)
        self._post("result", name=name, round=rid, chat=rec.chat, persona=rec.persona,
                   outcome=rec.outcome, total=rec.total, grade=rec.grade, mismatch=rec.mismatch)
