"""Joining a room: every refusal is clear, bad frames and floods are refused, only the host controls rounds."""
import pytest
from websockets.exceptions import ConnectionClosed

from game.classroom import protocol as P
from game.classroom.host import lan_address

from tests.classroom.helpers import PERSONA, joined, wait_until


def refused(client, timeout=10.0):
    wait_until(lambda: client.finished, timeout, f"{client.name} to be refused")
    assert client.state == "refused"
    return client.refusal


def test_join_and_leave_are_events(make_host, make_client):
    host = make_host()
    c = joined(make_client(host, "小王"))
    assert c.welcome["name"] == "小王" and c.welcome["limits"]["max_text"] == P.MAX_TEXT
    ev = wait_until(lambda: [e for e in host.events() if e.kind == "joined"], what="joined")
    assert ev[0].data == {"name": "小王", "rejoin": False, "address": "127.0.0.1"}
    assert [s["name"] for s in host.students()] == ["小王"]
    c.close()
    left = wait_until(lambda: [e for e in host.events() if e.kind == "left"], what="left")
    assert left[0].data == {"name": "小王", "dropped": False}
    assert host.students()[0]["connected"] is False


def test_wrong_code_is_refused_in_chinese(make_host, make_client):
    host = make_host()
    wrong = "000000" if host.code != "000000" else "111111"
    r = refused(make_client(host, "小王", code=wrong))
    assert r["reason"] == "wrong_code" and "房间码不对" in r["text"]
    ev = wait_until(lambda: [e for e in host.events() if e.kind == "refused"], what="refused event")
    assert ev[0].data["reason"] == "wrong_code"
    assert host.students() == []


def test_guessing_codes_is_stopped(make_host, raw):
    host = make_host()
    wrong = "000000" if host.code != "000000" else "111111"
    reasons = []
    for _ in range(P.WRONG_CODE_LIMIT + 1):
        with raw(host) as ws:
            reasons.append(ws.hello(host, code=wrong)["reason"])
    assert reasons == ["wrong_code"] * P.WRONG_CODE_LIMIT + ["too_many_attempts"]
    with raw(host) as ws:  # even the right code, for a while
        assert ws.hello(host)["reason"] == "too_many_attempts"


def test_duplicate_names_are_refused_whatever_the_case(make_host, make_client):
    host = make_host()
    joined(make_client(host, "Amy"))
    r = refused(make_client(host, "amy"))
    assert r["reason"] == "duplicate_name" and "名字" in r["text"]


def test_bad_names_and_versions(make_host, raw):
    host = make_host()
    with raw(host) as ws:
        m = ws.hello(host, name="<b>")
        assert (m["type"], m["reason"]) == ("refused", "bad_name")
    with raw(host) as ws:
        ws.send({"v": 99, "type": "hello", "name": "x", "code": host.code, "role": "student", "future": 1})
        m = ws.recv()
        assert (m["type"], m["reason"]) == ("refused", "bad_version") and "版本" in m["text"]


def test_the_room_fills_up(make_host, make_client):
    host = make_host(max_clients=2)
    joined(make_client(host, "一"))
    joined(make_client(host, "二"))
    r = refused(make_client(host, "三"))
    assert r["reason"] == "room_full"


def test_hello_comes_first_and_in_time(make_host, raw, monkeypatch):
    host = make_host()
    with raw(host) as ws:
        ws.send({"v": 1, "type": "ping", "n": 1})
        assert ws.recv()["reason"] == "hello_first"
    monkeypatch.setattr(P, "HELLO_TIMEOUT", 0.2)
    with raw(host) as ws:
        assert ws.recv(timeout=5)["reason"] == "hello_timeout"


def test_garbage_frames_get_a_reason_and_the_connection_lives(make_host, raw):
    host = make_host()
    with raw(host) as ws:
        assert ws.hello(host)["type"] == "welcome"
        cases = [("not json", "bad_json"), (b"\x00\x01\x02", "bad_frame"), ("[]", "bad_json"),
                 ({"v": 1, "type": "launch"}, "unknown_type"), ({"v": 1, "type": "ping"}, "missing_field"),
                 ({"v": 1, "type": "ping", "n": 1, "x": 2}, "extra_field"), ({"v": 1, "type": "ping", "n": "1"}, "wrong_type"),
                 ({"v": 1, "type": "pong", "n": 1}, "unknown_type"),
                 ({"v": 1, "type": "rp_say", "round": 1, "seq": 1, "text": "hi"}, "not_in_round"),
                 ("x" * (P.MAX_FRAME + 1), "too_big")]
        for frame, why in cases:
            ws.send(frame)
            m = ws.until("error")
            assert m["reason"] == why, (frame, m)
            assert m["text"]
        ws.send({"v": 1, "type": "ping", "n": 42})
        assert ws.until("pong")["n"] == 42


def test_a_frame_over_the_hard_limit_closes_the_connection(make_host, raw):
    host = make_host()
    with raw(host) as ws:
        ws.hello(host)
        ws.send("x" * (P.HARD_MAX_FRAME + 1))
        with pytest.raises(ConnectionClosed) as e:
            ws.until("never")
        assert e.value.rcvd is not None and e.value.rcvd.code == 1009
    wait_until(lambda: not host.students()[0]["connected"], what="the host to drop it")


def test_a_flood_is_refused_then_cut_off_and_others_are_unharmed(make_host, make_client, raw):
    host = make_host()
    other = joined(make_client(host, "旁观者"))
    with raw(host) as ws:
        ws.hello(host, name="洪水")
        frame = '{"v":1,"type":"ping","n":1}'
        sent = 0
        try:
            for sent in range(1, P.BURST + P.FLOOD_KICK + 21):
                ws.send(frame)
        except ConnectionClosed:
            # The host may cut the flood off while it is still being sent; what it said first stays readable.
            assert sent > P.BURST
        kinds, reasons = set(), set()
        with pytest.raises(ConnectionClosed):
            for _ in range(2000):
                m = ws.recv()
                kinds.add(m["type"])
                reasons.add(m.get("reason"))
        assert "pong" in kinds and "rate_limited" in reasons
        assert ws.ws.close_code == 1008
    other.send("ping", n=5)
    assert wait_until(lambda: [m for m in other.poll() if m["type"] == "pong"], what="pong")[0]["n"] == 5


def test_a_student_cannot_use_host_commands(make_host, raw):
    host = make_host()
    with raw(host) as ws:
        ws.hello(host)
        for cmd in ({"v": 1, "type": "host_start", "personas": [PERSONA], "lesson": None, "step": 0,
                     "mode": "practice", "roleplay": False, "seed": None}, {"v": 1, "type": "host_end"}):
            ws.send(cmd)
            m = ws.until("error")
            assert m["reason"] == "not_host" and "培训师" in m["text"]
    assert host.current_round is None


def test_the_host_token_controls_rounds_remotely(make_host, raw):
    host = make_host()
    with raw(host) as ws:
        ws.send({"v": 1, "type": "hello", "name": "培训师", "code": host.code, "role": "host", "token": "x" * 20})
        assert ws.recv()["reason"] == "bad_token"
    with raw(host) as ws:
        ws.send({"v": 1, "type": "hello", "name": "培训师", "code": host.code, "role": "host", "token": host.token})
        assert ws.recv()["role"] == "host"
        ws.send({"v": 1, "type": "host_start", "personas": ["no-such-buyer"], "lesson": None, "step": 0,
                 "mode": "exam", "roleplay": False, "seed": 3})
        m = ws.until("error")
        assert m["reason"] == "bad_round" and "no-such-buyer" in m["detail"]
    assert host.current_round is None


def test_the_host_connection_starts_and_ends_a_round(make_host, raw):
    host = make_host()
    with raw(host) as ws:
        ws.send({"v": 1, "type": "hello", "name": "培训师", "code": host.code, "role": "host", "token": host.token})
        ws.recv()
        ws.send({"v": 1, "type": "host_start", "personas": [PERSONA], "lesson": None, "step": 0, "mode": "exam",
                 "roleplay": False, "seed": 3})
        assert ws.until("ok")["ref"] == "host_start"
        ws.send({"v": 1, "type": "host_end"})
        assert ws.until("ok")["ref"] == "host_end"
    info = host.current_round
    assert info["mode"] == "exam" and info["seed"] == 3
    wait_until(lambda: host.current_round["ended"], what="round end")


def test_address_is_what_students_type():
    from game.classroom.host import ClassroomHost
    assert lan_address().count(".") == 3
    assert ClassroomHost.address.__doc__


def test_loopback_address(make_host):
    host = make_host()
    assert host.address() == f"127.0.0.1:{host.port}" and host.port > 0 and len(host.code) == 6


def test_closing_the_room_tells_the_students(make_host, make_client):
    host = make_host()
    c = joined(make_client(host, "小王"))
    host.close()
    wait_until(lambda: c.finished, what="the student to hear the room closed")
    assert c.refusal["reason"] == "closed" and "关闭" in c.refusal["text"]


def test_silent_sockets_never_keep_a_student_out(make_host, make_client):
    """Sockets that connect and say nothing (more than the spare slots) are closed oldest first when
    real students arrive; they never fill the room."""
    import contextlib

    from websockets.sync.client import connect

    from game.classroom.host import SPARE_CONNECTIONS
    host = make_host(max_clients=3)
    with contextlib.ExitStack() as stack:
        for _ in range(SPARE_CONNECTIONS + 10):
            stack.enter_context(connect(f"ws://127.0.0.1:{host.port}/", proxy=None, open_timeout=5,
                                        close_timeout=1, compression=None))
        for name in ("一", "二", "三"):
            joined(make_client(host, name))
    assert sorted(s["name"] for s in host.students()) == ["一", "三", "二"]


def test_the_room_counts_students_present_not_names_ever_seen(make_host, make_client):
    host = make_host(max_clients=2)
    for i in range(12):  # far more names than 2 x the room have joined and left
        c = make_client(host, f"学员{i}")
        joined(c)
        c.close()
        wait_until(lambda: not any(s["connected"] for s in host.students()), what="the leave")
    joined(make_client(host, "新来的"))
    joined(make_client(host, "又一个"))
    assert refused(make_client(host, "第三个"))["reason"] == "room_full"


def test_guessing_codes_from_many_addresses_closes_the_room_to_new_names(make_host, make_client, raw, monkeypatch):
    """A global budget of wrong codes (not per address): beyond it no new name gets in for a while,
    whatever its address; a student with a seat key still rejoins; the trainer is told."""
    monkeypatch.setattr(P, "WRONG_CODE_LIMIT", 1000)  # as if every guess came from a fresh address
    monkeypatch.setattr(P, "WRONG_CODE_GLOBAL", 5)
    host = make_host()
    seated = make_client(host, "小王")
    joined(seated)
    wrong = "000000" if host.code != "000000" else "111111"
    for _ in range(5):
        with raw(host) as ws:
            assert ws.hello(host, name="猜码", code=wrong)["reason"] == "wrong_code"
    with raw(host) as ws:
        m = ws.hello(host, name="新同学")  # the right code, but the room is closed to new names now
        assert (m["type"], m["reason"]) == ("refused", "too_many_attempts")
    seated.drop()
    wait_until(lambda: seated.connections >= 2, what="the seated student's rejoin")
    assert host.wrong_codes == 5
    assert any(e.kind == "attempts" for e in host.events())


def test_the_trainer_kicks_and_bans(make_host, make_client):
    host = make_host()
    a = make_client(host, "捣乱的")
    joined(a)
    assert host.kick("捣乱的", ban=True)
    wait_until(lambda: a.state == "refused", what="the kick")
    assert a.refusal["reason"] == "banned"
    assert "捣乱的" not in [s["name"] for s in host.students()]
    assert refused(make_client(host, "捣乱的"))["reason"] == "banned"
    b = make_client(host, "走错的")
    joined(b)
    assert host.kick("走错的")
    wait_until(lambda: b.state == "refused", what="the kick")
    assert b.refusal["reason"] == "kicked"
    joined(make_client(host, "走错的"))  # only banned names stay out
    assert not host.kick("没这个人")


def test_a_whole_class_joining_at_once_gets_in(make_host, make_client):
    """Sockets a moment old are not silent: a class connecting in the same second all get seats
    (only sockets silent for a while give way to new ones)."""
    from game.classroom.host import SPARE_CONNECTIONS
    n = SPARE_CONNECTIONS + 15
    host = make_host(max_clients=n)
    clients = [make_client(host, f"学员{i:02d}") for i in range(n)]
    for c in clients:
        joined(c, timeout=20)
    assert len(host.students()) == n
