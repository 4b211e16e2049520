import pytest

from game.engine.clock import ManualClock
from game.engine.session import PlaySession


@pytest.fixture
def session(library, reader):
    clock = ManualClock()
    ps = [library.personas[p] for p in ("haggler-nurse-shoes", "chatty-office-lady", "damaged-dress")]
    s = PlaySession.start(ps, reader, clock, seed=3, defaults=library.buyer_defaults, gap=10)
    return s, clock


def run(s, clock, seconds):
    out = []
    for _ in range(int(seconds * 2)):
        clock.advance(0.5)
        out += s.tick()
    return out


def test_buyers_arrive_in_a_shift_and_count_unread(session):
    s, clock = session
    assert len(s.views) == 1
    run(s, clock, 25)
    assert len(s.views) == 3 and s.active == s.order[0]
    others = [s.views[c] for c in s.order[1:]]
    assert all(v.unread >= 1 for v in others)
    s.switch_index(1)
    assert s.views[s.order[1]].unread == 0


def test_each_buyer_keeps_its_draft(session):
    s, clock = session
    run(s, clock, 25)
    s.set_draft("亲,您好")
    s.next_chat()
    assert s.views[s.active].draft == ""
    s.set_draft("哈哈是呀")
    s.next_chat(-1)
    assert s.views[s.active].draft == "亲,您好"
    assert s.has_unsent_text


def test_send_uses_the_draft_and_its_typing_start(session):
    s, clock = session
    run(s, clock, 2)
    s.set_draft("亲")
    started = clock.now()
    clock.advance(3)
    s.set_draft("亲,您好!很高兴为您服务")
    s.send()
    msg = s.conversation.transcript[-1]
    assert msg.who == "agent" and msg.typing_started == started
    assert s.views[s.active].draft == "" and s.conversation.state == "asking"
    assert s.send() == []  # nothing to send


def test_listeners_see_every_event(session):
    s, clock = session
    seen = []
    s.listeners.append(seen.append)
    run(s, clock, 3)
    s.send("您好")
    assert {"buyer_line", "agent_line", "state"} <= {e.kind for e in seen}


def test_the_queue_shows_the_last_line_and_marks_the_longest_waiter_next(session):
    s, clock = session
    run(s, clock, 25)
    rows = s.queue()
    assert [r.chat_id for r in rows] == s.order
    for r in rows:  # what the buyer said, never the scenario's title
        conv = s.desk.chats[r.chat_id]
        assert r.preview and r.preview != s.views[r.chat_id].persona.title
        assert r.preview == " ".join(conv.transcript[-1].text.split())
    waiting = [r for r in rows if r.waited is not None and not r.active]
    longest = max(waiting, key=lambda r: r.waited)
    assert [r.chat_id for r in rows if r.next_up] == [longest.chat_id]
    s.next_waiter()  # Tab
    assert s.active == longest.chat_id
    assert not any(r.next_up and r.active for r in s.queue())


def test_the_queue_counts_down_to_the_nudge_and_then_to_leaving(session):
    s, clock = session
    run(s, clock, 4)
    (row,) = s.queue()
    assert row.due is not None and 0 < row.due <= row.span and not row.leaves
    before = row.due
    run(s, clock, 2)
    assert s.queue()[0].due == pytest.approx(before - 2, abs=0.01)
    conv = s.desk.chats[row.chat_id]
    for _ in range(400):  # no reply: nudges, then the last countdown is to leaving
        run(s, clock, 0.5)
        q = s.queue()[0]
        if q.leaves or conv.finished:
            break
        if q.preview_kind == "nudge":
            assert q.level in ("warn", "late")
    assert any(m.kind == "nudge" for m in conv.transcript)
    assert q.leaves and q.due is not None and q.level == "late"
    run(s, clock, q.due + 5)
    assert conv.finished and s.queue()[0].due is None and s.queue()[0].outcome == "lost"
