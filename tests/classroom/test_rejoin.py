"""A dropped or killed student rejoins with the same name and code and loses nothing."""
import os
import subprocess
import sys
import textwrap

from tests.classroom.helpers import PERSONA, acked, joined, play, wait_round, wait_until
from tests.conftest import ROOT

FIRST = """+4s 亲,您好!欢迎光临大礼拜旗舰店,很高兴为您服务
+6s 亲,我们家都是明码标价的哦,这款是头层牛皮,做工和质量都很好,真的值这个价呢"""
REST = """+8s 非常理解您,我请示一下店长看能不能给您优惠,您稍等
+10s 亲,店长同意给您160元,再送您一双鞋垫,这已经是最大的优惠了
+6s 好的亲,请核对一下收货地址,感谢您的惠顾,祝您工作愉快!"""


def lines(conv):
    return [(m.who, m.text) for m in conv.transcript]


def host_lines(host, name):
    return [(m["who"], m["text"]) for m in host.transcript(name)[0]["messages"]]


def test_a_dropped_connection_rejoins_and_resends_what_was_not_acknowledged(make_host, make_student, store):
    host = make_host(store=store)
    s = make_student(host, "小王")
    joined(s.client)
    host.start_round([PERSONA], seed=7)
    rnd = wait_round(s)
    play(rnd, FIRST, drain=False)
    acked(s.client, host)
    before = len(host.transcript("小王")[0]["messages"])
    s.client.drop()                     # the cable is pulled ...
    play(rnd, REST)                     # ... while the student goes on playing: results wait in the outbox
    wait_until(lambda: s.client.connections == 2, what="the rejoin")
    acked(s.client, host)
    conv = rnd.session.chats[0]
    assert conv.finished and len(conv.transcript) > before
    assert host_lines(host, "小王") == lines(conv)   # every message once, in order
    row = host.leaderboard()[0]
    assert row["score"] == round(rnd.reports[conv.id].total, 1) and row["connected"]
    kinds = [(e.kind, e.data.get("rejoin", e.data.get("dropped"))) for e in host.events()
             if e.kind in ("joined", "left")]
    assert kinds == [("joined", False), ("left", True), ("joined", True)]
    host.flush()
    sid = next(x.id for x in store.sessions() if x.profile == "小王")
    assert [(m.who, m.text) for m in store.messages(sid)] == lines(conv)


def test_a_restarted_client_rebuilds_its_round_and_goes_on(make_host, make_student, tmp_path):
    host = make_host()
    seats = tmp_path / "classroom-seats.json"  # the seat key kept across a restart
    old = make_student(host, "小王", key_file=seats)
    joined(old.client)
    host.start_round([PERSONA], seed=7)
    play(wait_round(old), FIRST, drain=False)
    acked(old.client, host)
    old.client.drop()
    old.client.close(flush=False, bye=False)   # the process is gone
    wait_until(lambda: not host.students()[0]["connected"], what="the drop")

    new = make_student(host, "小王", key_file=seats)
    assert joined(new.client).welcome["rejoin"]
    rnd = wait_round(new)
    conv = rnd.session.chats[0]
    assert lines(conv) == lines(old.round.session.chats[0]) == host_lines(host, "小王")
    play(rnd, REST)
    acked(new.client, host)
    assert conv.finished and host_lines(host, "小王") == lines(conv)
    assert host.leaderboard()[0]["score"] == round(rnd.reports[conv.id].total, 1)


def test_a_killed_student_process_rejoins_with_nothing_lost(make_host, make_student, tmp_path):
    host = make_host()
    seats = tmp_path / "classroom-seats.json"
    host.start_round([PERSONA], seed=7)
    child = textwrap.dedent(f"""
        import sys, time
        from game.content.loader import load_library
        from game.classroom.client import ClassroomClient
        from game.classroom.student import ClassroomStudent
        from game.engine.clock import ManualClock
        from tests.classroom.helpers import acked, joined, play, wait_round
        lib = load_library({str(ROOT / 'scenarios')!r})
        c = ClassroomClient({host.address()!r}, "小李", {host.code!r}, key_file={str(seats)!r})
        s = ClassroomStudent(c, lib, clock_factory=ManualClock)
        joined(c)
        play(wait_round(s), {FIRST!r}, drain=False)
        acked(c)
        print("READY", flush=True)
        time.sleep(60)
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         cwd=str(ROOT), env=env)
    try:
        assert p.stdout.readline().strip() == "READY", p.stderr.read()
        p.kill()
    finally:
        p.wait(10)
        p.stdout.close()
        p.stderr.close()
    wait_until(lambda: host.students() and not host.students()[0]["connected"], what="the host to see it gone")
    had = host_lines(host, "小李")
    assert [w for w, _ in had].count("agent") == 2

    s = make_student(host, "小李", key_file=seats)
    joined(s.client)
    rnd = wait_round(s)
    conv = rnd.session.chats[0]
    assert lines(conv) == had
    play(rnd, REST)
    acked(s.client, host)
    assert host_lines(host, "小李") == lines(conv) and conv.finished


def test_the_resume_key_takes_over_a_connection_the_host_thinks_alive(make_host, make_client):
    host = make_host()
    first = joined(make_client(host, "小王"))
    second = joined(make_client(host, "小王", key=first.key))
    wait_until(lambda: first.finished, what="the old connection to be replaced")
    assert first.refusal["reason"] == "replaced" and second.connected
    assert [s["name"] for s in host.students()] == ["小王"] and host.students()[0]["connected"]


def test_a_dropped_seat_cannot_be_taken_without_its_key(make_host, make_student, make_client):
    """An attacker sending hello with a dropped student's name and the code, but no key, is refused:
    no rejoin, no transcript, no way to end her chat."""
    host = make_host()
    old = make_student(host, "小红")
    joined(old.client)
    host.start_round([PERSONA], seed=7)
    play(wait_round(old), FIRST, drain=False)
    acked(old.client, host)
    old.client.drop()
    old.client.close(flush=False, bye=False)
    wait_until(lambda: not host.students()[0]["connected"], what="the drop")
    thief = make_client(host, "小红")
    wait_until(lambda: thief.state == "refused", what="the refusal")
    assert thief.refusal["reason"] == "seat_taken" and thief.welcome is None
    assert not host.students()[0]["connected"]
    thief.close()
