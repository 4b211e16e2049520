"""The host scores every chat itself (issue 13): what a student's machine claims, feedback or report,
is never what the board, podium, records or export show."""
from game.classroom import protocol as P
from game.classroom.student import StudentRound
from game.engine.clock import ManualClock
from tests.classroom.helpers import PERSONA, acked, joined, play, wait_round


def _forged_feedback(score):
    return {"score": score, "faults": [], "strengths": ["热情"], "rewrite": None}


def _forged_report():
    return {"total": 100, "grade": "A", "grade_label": "优秀", "dimensions": [], "improvements": [],
            "first_reply": 1.0, "mean_wait": 1.0, "max_wait": 1.0, "slow_replies": 0, "nudges": 0, "turns": 1,
            "flags": [], "final_price": None}


def test_a_forged_perfect_score_is_replaced_by_the_hosts_own(make_host, raw, store, library, judge_factory):
    host = make_host(store=store)
    with raw(host) as ws:
        assert ws.hello(host, name="小黑")["type"] == "welcome"
        host.start_round([PERSONA], seed=3)
        start = ws.until("round_start")
        rid = start["round"]
        # what an honest machine would have seen: the chat's own seed and the buyer's opening line
        honest = StudentRound(library, start, clock=ManualClock(), judge=judge_factory())
        conv = honest.session.chats[0]
        honest.advance_to(conv.started + 3)
        opening = conv.transcript[0]
        frames = [
            dict(type="chat_open", chat=conv.id, persona=PERSONA, time=conv.started, seed=conv.seed),
            dict(type="chat_msg", chat=conv.id, n=0, who="buyer", kind="line", text=opening.text,
                 time=opening.time, wait=0.0, first=False, typing=None, intents=[], state="s", mood=50.0,
                 feedback=None),
            dict(type="chat_msg", chat=conv.id, n=1, who="agent", kind="line", text="在", time=opening.time + 20,
                 wait=20.0, first=True, typing=None, intents=["greet"], state="s", mood=99.0,
                 feedback=_forged_feedback(100)),
            dict(type="chat_end", chat=conv.id, outcome="success", reason="paid", report=_forged_report()),
        ]
        for seq, f in enumerate(frames, 1):
            ws.send({"v": P.PROTOCOL_VERSION, "round": rid, "seq": seq, **f})
            assert ws.until("ack")["seq"] == seq
        host.flush()
    row = host.leaderboard()[0]
    assert row["name"] == "小黑"
    assert row["score"] is not None and row["score"] < 60
    assert row["outcome"] != "success"
    (chat,) = host.transcript("小黑")
    agent = [m for m in chat["messages"] if m["who"] == "agent"]
    assert agent[0]["score"] is not None and agent[0]["score"] < 100
    events = host.events()
    (result,) = [e for e in events if e.kind == "result"]
    assert result.data["total"] == row["score"] and result.data["mismatch"]
    (sess,) = store.sessions()
    assert sess.report["total"] == row["score"]
    stored = [m for m in store.messages(sess.id) if m.who == "agent"]
    assert stored[0].feedback and stored[0].feedback["score"] == agent[0]["score"]


def test_an_honest_students_scores_are_the_same_on_the_host(make_host, make_student):
    host = make_host()
    s = make_student(host, "小白")
    joined(s.client)
    host.start_round([PERSONA], seed=5)
    rnd = wait_round(s)
    play(rnd, "+4s 亲,您好!很高兴为您服务\n+6s 这款是头层牛皮,做工很好,真的值这个价\n+8s 亲,给您算160元,再送您一双鞋垫")
    acked(s.client, host)
    conv = rnd.session.chats[0]
    (chat,) = host.transcript("小白")
    mine = [m.feedback.score for m in conv.transcript if m.who == "agent"]
    hosts = [m["score"] for m in chat["messages"] if m["who"] == "agent"]
    assert hosts == mine


def test_an_exam_shows_no_figures_until_the_round_ends_and_then_the_hosts(make_host, make_student):
    from tests.classroom.helpers import end_round, wait_until
    host = make_host()
    a, b = make_student(host, "一"), make_student(host, "二")
    joined(a.client)
    joined(b.client)
    host.start_round([PERSONA], roleplay=True, mode="exam")
    ra, rb = wait_round(a), wait_round(b)
    buyer, agent = (ra, rb) if ra.role == "buyer" else (rb, ra)
    bs, ag = (a, b) if buyer is ra else (b, a)
    buyer.say("你好,这双鞋能便宜点吗")
    wait_until(lambda: (bs.update(tick=False), ag.update(tick=False), len(agent.lines) == 1)[-1], what="line")
    agent.say("亲,您好!这款是头层牛皮,质量很好,今天下单送您一双鞋垫哦")
    wait_until(lambda: (bs.update(tick=False), ag.update(tick=False), len(agent.lines) == 2)[-1], what="reply")
    buyer.end("success")
    wait_until(lambda: (bs.update(tick=False), ag.update(tick=False), agent.finished and buyer.finished)[-1],
               what="rp_over")
    assert agent.result["total"] is None and buyer.result["total"] is None  # nothing during the exam
    assert ag.results == []
    end_round(host, [a, b])
    # both students hear the round end; under load one may hear it a moment after the other
    wait_until(lambda: (bs.update(tick=False), ag.update(tick=False), bool(ag.results and bs.results))[-1],
               what="round_end")
    row = next(r for r in host.leaderboard() if r["name"] == ag.client.name)
    (mine,) = ag.results
    assert mine["total"] == row["score"] is not None and mine["outcome"] == "success"
    assert bs.results[0]["total"] == row["score"]  # the buyer sees how their partner was scored


def test_a_student_saying_too_much_in_role_play_is_held_to_a_budget(make_host, make_student):
    from game.classroom import protocol as P
    from tests.classroom.helpers import wait_until
    clock = ManualClock(100.0)
    host = make_host(clock=clock)
    a, b = make_student(host, "快"), make_student(host, "慢")
    joined(a.client)
    joined(b.client)
    host.start_round([PERSONA], roleplay=True)
    ra, rb = wait_round(a), wait_round(b)
    agent, ag = (ra, a) if ra.role == "agent" else (rb, b)
    other = b if ag is a else a
    for i in range(P.SAY_BURST + 3):
        agent._send("rp_say", round=agent.round, text="1" * 500)  # pasted digits, as fast as the wire allows
    errors = []
    wait_until(lambda: (errors.extend(m for m in ag.update(tick=False) if m["type"] == "error"),
                        other.update(tick=False), len(errors) >= 3)[-1], what="the budget")
    assert {e["reason"] for e in errors} == {"rate_limited"}
    acked(ag.client, host)
    assert len(agent.lines) == P.SAY_BURST
    clock.advance(2.0)
    agent.say("亲,您好")
    wait_until(lambda: (ag.update(tick=False), len(agent.lines) == P.SAY_BURST + 1)[-1], what="a line after a pause")


def test_with_its_own_judge_the_host_scores_in_a_separate_process_and_gets_the_same_scores(make_host,
                                                                                          make_student):
    import multiprocessing
    before = set(multiprocessing.active_children())
    host = make_host(judge=None)  # as the trainer's window and terminal start it
    assert set(multiprocessing.active_children()) - before  # the scoring process
    s = make_student(host, "小蓝")
    joined(s.client)
    host.start_round([PERSONA], seed=5)
    rnd = wait_round(s)
    play(rnd, "+4s 亲,您好!很高兴为您服务\n+6s 这款是头层牛皮,做工很好,真的值这个价\n+8s 你爱买不买")
    acked(s.client, host, timeout=120)  # the scoring process loads its content first
    conv = rnd.session.chats[0]
    (chat,) = host.transcript("小蓝")
    mine = [m.feedback.score for m in conv.transcript if m.who == "agent"]
    hosts = [m["score"] for m in chat["messages"] if m["who"] == "agent"]
    assert hosts == mine and min(hosts) < 60
    host.close()
    assert not set(multiprocessing.active_children()) - before
