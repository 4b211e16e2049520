"""The host's own judgement of a student's chat (issue 13).

A student sends what was said and when; the host plays the chat again from the same persona, the
chat's seed and the trainee's lines at their times (buyer lines are reproducible, and the content
digests were compared at round start), and scores every reply and the chat itself with its own
judge. What the student's machine computed is never what the board, podium, export or records show.

Headless and single-threaded per chat: one worker thread takes the chats' messages in the order they
arrived, so acknowledgements never wait for scoring. Reading and scoring a reply is pure Python, so by
default the replays themselves run in a separate scoring process (ScoringProcess): on the host's
own interpreter they would hold its lock for a few hundred milliseconds a second at 100 students,
and every acknowledgement would wait behind them.
"""
from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
import os
import threading

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


# ---------------------------------------------------------------- the scoring process
_W: dict = {}  # in the scoring process: library, reader, judge, and the replays by key


def _w_orphaned() -> None:
    """Exit with the host: a host killed outright (kill -9, a power button) closes no queue."""
    from multiprocessing.connection import wait
    parent = multiprocessing.parent_process()
    if parent is not None:
        wait([parent.sentinel])
        os._exit(0)


def _w_start(root: str) -> None:
    from game.content.loader import load_library
    from game.language.reader import Reader
    from game.scoring.cli import make_judge
    threading.Thread(target=_w_orphaned, name="referee-orphan-watch", daemon=True).start()
    logging.basicConfig(level=logging.WARNING)
    lib = load_library(root)
    _W.update(lib=lib, reader=Reader(lib.intents, lib.lexicon), judge=make_judge(lib), replays={}, digests={})
    if _W["judge"] is not None:  # models loaded now, not on the first student's line
        _W["judge"].scorer.score("您好")


def _w_open(key: str, persona_id: str, digest: str, seed: int, opened: float, chat_id: str) -> bool:
    """Start the replay; False when this process's content is not the host's (the host replays it)."""
    from game.store.recorder import content_hash
    lib = _W["lib"]
    persona = lib.personas.get(persona_id)
    if persona is None:
        return False
    if persona_id not in _W["digests"]:  # this process's content is fixed at its start: hashed once
        _W["digests"][persona_id] = content_hash(persona, lib.root)
    if _W["digests"][persona_id] != digest:
        return False
    _W["replays"][key] = ChatReplay(persona, seed, opened, _W["reader"], _W["judge"], defaults=lib.buyer_defaults,
                                    chat_id=chat_id)
    return True


def _w_message(key: str, *args) -> tuple[dict | None, str | None]:
    r = _W["replays"][key]
    return r.message(*args), r.mismatch


def _w_end(key: str, time: float, claimed: str):
    r = _W["replays"].pop(key)
    return (*r.end(time, claimed), r.mismatch)


class _Remote:
    """A ChatReplay that lives in the scoring process."""

    def __init__(self, pool, key: str):
        self._pool, self.key = pool, key
        self.mismatch: str | None = None

    def message(self, *args) -> dict | None:
        fb, self.mismatch = self._pool.submit(_w_message, self.key, *args).result()
        return fb

    def end(self, time: float, claimed: str):
        outcome, reason, report, self.mismatch = self._pool.submit(_w_end, self.key, time, claimed).result()
        return outcome, reason, report


class ScoringProcess:
    """One child process (spawned: the host has threads) with its own library, reader and judge."""

    def __init__(self, root):
        self._pool = concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                            initializer=_w_start, initargs=(str(root),))
        self._ready = self._pool.submit(int)  # the process starts now and loads its content, not on the first line
        self._n = 0
        self.broken = False

    def open(self, persona, digest: str, seed: int, opened: float, chat_id: str) -> _Remote | None:
        self._n += 1
        key = f"{self._n}:{chat_id}"
        try:
            ok = self._pool.submit(_w_open, key, persona.id, digest, seed, opened, chat_id).result()
        except concurrent.futures.process.BrokenProcessPool:
            log.exception("classroom: the scoring process died; the host scores new chats itself")
            self.broken = True
            return None
        return _Remote(self._pool, key) if ok else None

    def wait_ready(self, timeout: float) -> None:
        self._ready.result(timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class Referee:
    """The host's scoring bridge: one worker thread replays each student's chat as its messages arrive
    (ChatReplay, in the scoring process when `process` is set), puts the host's figures on the room's
    records and the board, and has them stored."""

    def __init__(self, lib, reader, judge, records, post, lock, process: bool = False):
        self.lib, self.reader, self.judge = lib, reader, judge
        self._records, self._post, self._lock = records, post, lock
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="classroom-referee")
        self._process = ScoringProcess(lib.root) if process and getattr(lib, "root", None) else None
        self._closed = False

    def do(self, fn, *args) -> None:
        def run():
            try:
                fn(*args)
            except Exception:  # a chat the host cannot replay is left unscored, never given the student's figure
                log.exception("classroom: the referee failed on %s", getattr(fn, "__name__", fn))
        if not self._closed:
            self._pool.submit(run)

    def open(self, rec, persona, digest: str) -> None:
        self.do(self._open, rec, persona, digest)

    def message(self, rec, m: dict, name: str, rid: int) -> None:
        self.do(self._message, rec, m, name, rid)

    def end(self, rec, claimed: str, reason: str, end: float, name: str, rid: int) -> None:
        self.do(self._end, rec, claimed, reason, end, name, rid)

    def after(self, callback) -> None:
        """callback(future) once everything queued so far is scored."""
        self._pool.submit(lambda: None).add_done_callback(callback)

    def warm(self, timeout: float) -> None:
        """Wait until the scoring process has loaded its content (it starts with the host)."""
        if self._process is not None:
            self._process.wait_ready(timeout)

    def flush(self, timeout: float) -> None:
        self._pool.submit(lambda: None).result(timeout)

    def close(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._process is not None:
            self._process.close()

    # ------------------------------------------------------------ on the worker thread
    def _open(self, rec, persona, digest: str) -> None:
        if rec.seed is None:
            rec.mismatch = "学员端没有发送对话种子,无法重现"
            return
        if self._process is not None and not self._process.broken:
            rec.replay = self._process.open(persona, digest, rec.seed, rec.opened, rec.chat)
            if rec.replay is not None:
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
            try:
                outcome, reason, report = rec.replay.end(end, claimed)
                rec.mismatch = rec.replay.mismatch
            except Exception:  # the chat is closed unscored, never with the student's figures
                log.exception("classroom: the referee could not score %s's chat %s", name, rec.chat)
            rec.replay = None
        if rec.mismatch:
            log.warning("classroom: %s's chat %s differs from the host's replay: %s", name, rec.chat, rec.mismatch)
        with self._lock:
            rec.outcome, rec.reason, rec.report = outcome, reason, report
        self._records.finish(rec)
        self._post("result", name=name, round=rid, chat=rec.chat, persona=rec.persona,
                   outcome=rec.outcome, total=rec.total, grade=rec.grade, mismatch=rec.mismatch)
