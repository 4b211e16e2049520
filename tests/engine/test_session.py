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
