"""The recorder: feedback and reports as JSON in any shape, late feedback, failures that never stop a chat."""
import math
from dataclasses import dataclass

import numpy as np

from game.engine.clock import ManualClock
from game.engine.conversation import Conversation
from game.store.db import Store, StoredMessage, check_profile_name
from game.store.jsonable import feedback_items, jsonable, report_dimensions, report_total
from game.store.recorder import SessionRecorder, content_hash

import pytest


class Feedback:
    """Shaped like the scorer's ReplyResult: to_dict() and mood_delta."""

    def __init__(self, text):
        self.text = text
        self.mood_delta = -1.0

    def to_dict(self):
        return {"text": self.text, "score": 70,
                "violations": [{"rule": "r1", "category": "forbidden", "severity": "major", "title": "禁用语",
                                "text": "不行", "why": "生硬的拒绝", "suggestion": "非常抱歉,无法再低了"}],
                "strengths": [{"id": "s", "title": "称呼亲"}], "mood_delta": self.mood_delta}


class Judge:
    def judge(self, conv, message, reading):
        return Feedback(message.text)


@dataclass
class Report:
    total: float
    grade: str
    dimensions: dict
    _private: object = None


def test_feedback_and_report_are_stored_as_json(store, record):
    sid = record(store, "haggler-nurse-shoes", "+4s 亲,您好\n+6s 不行\n", judge=Judge(),
                 report=Report(64.5, "D", {"politeness": 50, "closing": 80.0}))
    s = store.session(sid)
    assert s.report == {"total": 64.5, "grade": "D", "dimensions": {"politeness": 50, "closing": 80.0}}
    assert (s.total, s.grade) == (64.5, "D") and s.status == "finished"
    agent = [m for m in store.messages(sid) if m.who == "agent"]
    assert agent[1].feedback["violations"][0]["suggestion"] == "非常抱歉,无法再低了"
    assert feedback_items(agent[1].feedback)[0] == {
        "category": "forbidden", "rule": "r1", "title": "禁用语", "why": "生硬的拒绝",
        "rewrite": "非常抱歉,无法再低了", "severity": "major", "text": "不行"}


def test_without_a_scorer_report_is_null(store, record):
    sid = record(store, "haggler-nurse-shoes", "+4s 亲,您好\n")
    s = store.session(sid)
    assert s.report is None and s.total is None
    assert all(m.feedback is None for m in store.messages(sid))


def test_feedback_known_after_the_write_is_added(store, library, reader):
    persona = library.personas["haggler-nurse-shoes"]
    clock = ManualClock()
    conv = Conversation(persona, reader, clock, np.random.default_rng(1), defaults=library.buyer_defaults,
                        judge=Judge())
    rec = SessionRecorder(store, profile="小王", persona=persona, seed=1)
    rec.start(conv)
    clock.advance(3)
    conv.tick()
    conv.trainee_says("亲,您好")
    msg = conv.transcript[-1]
    saved = msg.feedback
    msg.feedback = None                      # as if the scorer answered after the message was written
    rec.sync(conv)
    assert store.messages(rec.session_id)[-1].feedback is None
    msg.feedback = saved
    rec.sync(conv)
    assert store.messages(rec.session_id)[-1].feedback["score"] == 70
    rec.close()
    assert store.session(rec.session_id).status == "interrupted"
    assert store.session(rec.session_id).reason == "quit"
    conv.close()


def test_a_failing_store_never_stops_the_chat(tmp_path, library, reader):
    persona = library.personas["haggler-nurse-shoes"]
    store = Store(tmp_path / "kefusim.db")
    clock = ManualClock()
    conv = Conversation(persona, reader, clock, np.random.default_rng(1), defaults=library.buyer_defaults)
    rec = SessionRecorder(store, profile="小王", persona=persona)
    rec.start(conv)
    store.close()                            # the disk is gone, say
    clock.advance(3)
    conv.tick()
    conv.trainee_says("亲,您好")
    rec.sync(conv)
    rec.finish(conv)
    rec.close()
    assert rec.error and "无法保存聊天记录" in rec.error
    assert rec.new_error() == rec.error and rec.new_error() is None
    conv.close()


def test_finish_later_adds_the_report(store, library, reader):
    from game.engine.script import parse_script, simulate
    persona = library.personas["haggler-nurse-shoes"]
    r = simulate(persona, parse_script("+4s 亲,您好\n+6s 给您算140元吧\n"), reader, seed=2,
                 defaults=library.buyer_defaults)
    rec = SessionRecorder(store, profile="小王", persona=persona, seed=2)
    rec.start(r.conversation)                # sync finishes the session as soon as the chat ends
    s = store.session(rec.session_id)
    assert (s.status, s.outcome, s.report) == ("finished", "success", None)
    assert s.flags == ["below_floor"] and s.info["offer_price"] == 140
    rec.finish(r.conversation, {"total": 40, "grade": "E"})
    assert store.session(rec.session_id).total == 40


def test_jsonable_handles_any_shape():
    class Weird:
        def __str__(self):
            return "weird"

    class Broken:
        def to_dict(self):
            raise RuntimeError("scorer bug")

    data = jsonable({"a": (1, 2.5, math.nan), 3: Weird(), "n": np.float64(1.5), "b": Broken(), "s": {1}})
    assert data == {"a": [1, 2.5, None], "3": "weird", "n": 1.5, "b": data["b"], "s": [1]}
    assert isinstance(data["b"], str)
    assert report_total({"total": {"score": 88}, "grade": {"grade": "B"}}) == (88.0, "B")
    assert report_total("nonsense") == (None, None)
    assert report_dimensions({"dimensions": [{"name": "timing", "score": 70}, {"bad": 1}]}) == {"timing": 70.0}
    assert feedback_items({"hits": [{"category": "taboo", "rewrite": "x"}, "junk"]})[0]["rewrite"] == "x"
    assert feedback_items(None) == [] and feedback_items({"violations": "no"}) == []


def test_profile_names():
    assert check_profile_name("  王  小明 ") == "王 小明"
    for bad in ("", "   ", "x" * 33, "a\x00b"):
        with pytest.raises(ValueError):
            check_profile_name(bad)


def test_content_hash_follows_the_files(library, tmp_path):
    persona = library.personas["haggler-nurse-shoes"]
    a = content_hash(persona, library.root)
    assert a == content_hash(persona, library.root) and len(a) == 16
    assert a != content_hash(persona, tmp_path)          # other rules folder


def test_sessions_left_live_are_interrupted_only_when_their_process_is_gone(tmp_path):
    import subprocess
    import sys
    path = tmp_path / "kefusim.db"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    with Store(path) as s:
        mine = s.begin_session("小王", "p")                  # this process: still playing
        gone = s.begin_session("小王", "p")
        old = s.begin_session("小王", "p")
        s.conn.execute("UPDATE sessions SET pid = ? WHERE id = ?", (dead_pid, gone))
        s.conn.execute("UPDATE sessions SET host = 'elsewhere', seen_at = seen_at - 3 * 3600 WHERE id = ?", (old,))
    with Store(path) as s:
        assert [x.status for x in s.sessions()] == ["live", "interrupted", "interrupted"]
        assert s.session(gone).reason == "killed"
        assert s.session(mine).status == "live"


def test_two_stores_and_threads_on_one_file(tmp_path):
    import threading
    path = tmp_path / "kefusim.db"
    with Store(path) as a, Store(path) as b:                  # the game and `history` at the same time
        sa, sb = a.begin_session("甲", "p"), b.begin_session("乙", "p")

        def write(store, sid, offset):
            for i in range(30):
                store.add_message(sid, StoredMessage(offset + i, float(i), "agent", "line", f"第{i}条"))

        threads = [threading.Thread(target=write, args=(a, sa, 0)), threading.Thread(target=write, args=(a, sa, 100)),
                   threading.Thread(target=write, args=(b, sb, 0))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(b.messages(sa)) == 60 and len(a.messages(sb)) == 30


def test_a_store_that_opens_but_cannot_be_written_gives_the_notice(tmp_path, library, reader, monkeypatch):
    """A read-only store (or one another process keeps locked) cannot begin a session: the recorder
    says so once and play goes on; it never loops between start and sync."""
    import sqlite3

    persona = library.personas["haggler-nurse-shoes"]
    store = Store(tmp_path / "kefusim.db")

    def readonly(*_a, **_k):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(store, "begin_session", readonly)
    clock = ManualClock()
    conv = Conversation(persona, reader, clock, np.random.default_rng(1), defaults=library.buyer_defaults)
    rec = SessionRecorder(store, profile="小王", persona=persona)
    assert rec.start(conv) is None
    clock.advance(3)
    conv.tick()
    conv.trainee_says("亲,您好")
    rec.sync(conv)
    rec.finish(conv)
    rec.close()
    notice = rec.new_error()
    assert notice and "无法保存" in notice and "readonly" in notice
    assert rec.new_error() is None  # told once
    conv.close()
