"""Rounds: 30 students play to the end and the leaderboard is right; lessons, exam mode, late joiners,
content mismatches, the store and the export."""
import statistics

import pytest

from game.classroom.student import StudentRound
from game.engine.clock import ManualClock
from tests.classroom.helpers import PERSONA, acked, end_round, joined, play, wait_round, wait_until

SCRIPTS = {
    "good": """+4s 亲,您好!欢迎光临大礼拜旗舰店,很高兴为您服务
+6s 亲,我们家都是明码标价的哦,这款是头层牛皮,做工和质量都很好,真的值这个价呢
+8s 非常理解您,我请示一下店长看能不能给您优惠,您稍等
+10s 亲,店长同意给您160元,再送您一双鞋垫,这已经是最大的优惠了
+6s 今天3点半前拍下当天就给您发货哦
+8s 好的亲,请核对一下收货地址,感谢您的惠顾,祝您工作愉快!""",
    "rude": "+25s 在\n+10s 不行,不能便宜\n+10s 爱买不买",
    "mid": "+5s 您好\n+7s 这款是明码标价的哦,质量很好\n+6s 送您一双袜子吧",
    "cheap": "+4s 亲,您好,很高兴为您服务\n+6s 给您算140元吧",
    "silent": "+90s",
}


def expected_row(library, start, script, judge_factory):
    """What the host should show for a student: the same round played here, with nothing sent."""
    r = StudentRound(library, start, clock=ManualClock(), judge=judge_factory())
    play(r, script)
    rep = next(iter(r.reports.values()))
    conv = r.session.chats[0]
    waits = [m.wait for m in conv.transcript if m.who == "agent" and round(m.wait, 3) > 0]
    return {"score": round(rep.total, 1), "outcome": conv.outcome,
            "avg_reply": round(statistics.fmean([round(w, 3) for w in waits]), 1) if waits else None}


def test_thirty_students_play_a_round_and_the_leaderboard_is_right(make_host, make_student, library, store,
                                                                   judge_factory, tmp_path):
    host = make_host(store=store)
    kinds = list(SCRIPTS)
    students = [make_student(host, f"学员{i:02d}") for i in range(30)]
    for s in students:
        joined(s.client)
    info = host.start_round([PERSONA], seed=11)
    assert len(info["participants"]) == 30
    for i, s in enumerate(students):
        rnd = wait_round(s)
        assert rnd.round == info["round"] and rnd.mode == "practice" and not rnd.problems
        play(rnd, SCRIPTS[kinds[i % len(kinds)]])
        assert rnd.finished
    for s in students:
        acked(s.client, host)
    rows = host.leaderboard()
    assert all(r["status"] == "done" and r["done"] == 1 for r in rows)

    start = students[0].round.start_msg
    exp = {k: expected_row(library, start, sc, judge_factory) for k, sc in SCRIPTS.items()}
    want = sorted(({"name": s.client.name, **exp[kinds[i % len(kinds)]]} for i, s in enumerate(students)),
                  key=lambda r: (r["score"] is None, -r["score"], r["avg_reply"] is None, r["avg_reply"] or 0, r["name"]))
    got = [{k: r[k] for k in ("name", "score", "outcome", "avg_reply")} for r in rows]
    assert got == want
    assert [r["rank"] for r in rows] == list(range(1, 31))
    assert exp["good"]["score"] > exp["mid"]["score"] > exp["rude"]["score"]

    # each student's transcript on the host is exactly their own chat
    for s in students[:5]:
        conv = s.round.session.chats[0]
        tr = host.transcript(s.client.name)
        assert len(tr) == 1 and tr[0]["outcome"] == conv.outcome
        assert [(m["who"], m["text"]) for m in tr[0]["messages"]] == [(m.who, m.text) for m in conv.transcript]

    podium = end_round(host, students)
    assert podium == [{"place": i + 1, "name": want[i]["name"], "score": want[i]["score"]} for i in range(3)]
    for s in students:
        wait_until(lambda s=s: (s.update(tick=False), s.podium)[1], what="round_end")
        assert s.podium == podium

    # everything is in the host's store, under each student's name, and the round exports
    host.flush()
    sessions = [x for x in store.sessions() if x.source == "classroom"]
    assert len(sessions) == 30 and {x.profile for x in sessions} == {s.client.name for s in students}
    by_name = {x.profile: x for x in sessions}
    for r in rows:
        x = by_name[r["name"]]
        assert x.total == r["score"] and x.outcome == r["outcome"] and x.info["classroom"] == info["tag"]
        assert len(store.messages(x.id)) == len(host.transcript(r["name"])[0]["messages"])
    out = host.export(tmp_path / "round.html")
    html = out.read_text(encoding="utf-8")
    assert "学员00" in html and "学员29" in html
    csv = host.export(tmp_path / "round.csv", fmt="csv").read_text(encoding="utf-8")
    assert csv.count("classroom") == 30


def test_a_lesson_step_is_a_shift_and_exam_mode_reaches_the_students(make_host, make_student):
    host = make_host()
    s = make_student(host, "小王")
    joined(s.client)
    info = host.start_round(lesson="final-exam", step=0, mode="exam")
    assert len(info["personas"]) == 3 and "综合考核" in info["title"]
    rnd = wait_round(s)
    assert rnd.mode == "exam" and rnd.session.mode == "exam" and len(rnd.personas) == 3
    rnd.advance_to(200)  # nobody answers: the buyers arrive one by one, wait, nudge and leave
    for _ in range(50):
        if rnd.finished:
            break
        rnd.advance_to(rnd.clock.now() + 30)
    assert rnd.finished and len(rnd.session.chats) == 3
    acked(s.client, host)
    row = host.leaderboard()[0]
    assert row["chats"] == 3 and row["done"] == 3 and "success" not in row["outcomes"] and row["messages"] == 0
    assert row["outcome"] == "0/3 success"


def test_late_joiners_play_and_rounds_cannot_overlap(make_host, make_student):
    host = make_host()
    with pytest.raises(ValueError, match="没有买家场景"):
        host.start_round(["no-such-buyer"])
    with pytest.raises(ValueError, match="请选择"):
        host.start_round([])
    host.start_round([PERSONA], seed=1)
    with pytest.raises(ValueError, match="还没有结束"):
        host.start_round([PERSONA])
    late = make_student(host, "迟到")
    joined(late.client)
    rnd = wait_round(late)
    assert rnd.personas[0].id == PERSONA
    play(rnd, SCRIPTS["mid"])
    acked(late.client, host)
    assert end_round(host, [late])[0]["name"] == "迟到"
    info = host.start_round([PERSONA], seed=2)
    assert info["round"] == 2


def test_a_student_stopped_by_the_round_end_reports_unfinished(make_host, make_student):
    host = make_host()
    s = make_student(host, "小王")
    joined(s.client)
    host.start_round([PERSONA], seed=5)
    rnd = wait_round(s)
    rnd.advance_to(3)
    rnd.say("亲,您好")
    podium = end_round(host, [s])
    assert rnd.finished and rnd.stopped
    row = host.leaderboard()[0]
    assert row["outcome"] == "unfinished" and row["score"] is not None
    assert podium == [{"place": 1, "name": "小王", "score": row["score"]}]


def test_a_content_mismatch_is_reported_to_the_host(make_host, make_student, monkeypatch):
    host = make_host()
    monkeypatch.setattr(host, "_digests", lambda rnd, ps: [{"persona": p, "digest": "0000000000000000"} for p in ps])
    s = make_student(host, "小王")
    joined(s.client)
    host.start_round([PERSONA])
    rnd = wait_round(s)
    assert rnd.problems and rnd.problems[0][0] == "content_mismatch"
    acked(s.client, host)
    ev = wait_until(lambda: [e for e in host.events() if e.kind == "problem"], what="problem event")
    assert ev[0].data["reason"] == "content_mismatch"
    assert host.leaderboard()[0]["status"] == "problem"


def test_an_unknown_persona_on_the_student_side(library):
    start = {"round": 1, "mode": "practice", "title": "t", "personas": ["not-here"], "digests": [], "seed": 1,
             "gap": 20.0, "pass_mark": None}
    r = StudentRound(library, start, clock=ManualClock(), judge=None)
    assert r.session is None and r.finished
    assert r.outbox == [("round_problem", {"reason": "unknown_persona", "detail": "本机没有买家场景 not-here",
                                          "round": 1})]


def test_a_stored_classroom_chat_replays_identically(make_host, make_student, store, library, reader, judge_factory):
    from game.store.rerun import rerun
    host = make_host(store=store)
    s = make_student(host, "小王")
    joined(s.client)
    host.start_round([PERSONA], seed=9)
    play(wait_round(s), SCRIPTS["good"])
    acked(s.client, host)
    host.flush()
    session = next(x for x in store.sessions() if x.profile == "小王")
    assert session.seed == s.round.session.chats[0].seed
    r = rerun(session, store.messages(session.id), library.personas[PERSONA], reader,
              defaults=library.buyer_defaults, judge=judge_factory())
    assert r.same, r.differences
