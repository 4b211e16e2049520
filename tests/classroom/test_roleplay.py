"""Role-play: students in pairs, one the buyer (with the persona card), one the agent scored by the judge."""
import json

import numpy as np
import pytest

from game.classroom.roleplay import HumanBuyerChat, persona_card
from game.classroom.student import RolePlaySeat, StudentRound
from game.engine.clock import ManualClock
from game.engine.conversation import Conversation
from tests.classroom.helpers import PERSONA, acked, end_round, joined, wait_round, wait_until


class Recorder:
    """Wraps a student's client so the test sees every message it received."""

    def __init__(self, student):
        self.student = student
        self.seen: list[dict] = []
        poll = student.client.poll

        def recording_poll(timeout=0.0):
            msgs = poll(timeout)
            self.seen.extend(msgs)
            return msgs
        student.client.poll = recording_poll

    def update(self):
        return self.student.update(tick=False)


def lines_of(seat, who=None):
    return [m["text"] for m in seat.lines if who is None or m["who"] == who]


def test_a_pair_plays_the_agent_is_scored_and_the_card_reaches_only_the_buyer(make_host, make_student, library,
                                                                             store):
    host = make_host(store=store)
    names = ["甲", "乙", "丙"]
    students = {}
    for n in names:  # one after the other: pairs follow the join order
        students[n] = make_student(host, n)
        joined(students[n].client)
    recs = {n: Recorder(s) for n, s in students.items()}
    pairing = host.pair()
    assert pairing == {"pairs": [("甲", "乙")], "odd": "丙"}
    info = host.start_round([PERSONA], roleplay=True, seed=4)
    assert info["kind"] == "roleplay" and info["pairs"][0]["buyer"] == "甲" and info["pairs"][0]["agent"] == "乙"
    buyer, agent, odd = (wait_round(students[n]) for n in names)
    assert isinstance(buyer, RolePlaySeat) and buyer.role == "buyer" and buyer.partner == "乙"
    assert isinstance(agent, RolePlaySeat) and agent.role == "agent" and agent.card is None
    assert isinstance(odd, StudentRound) and [p.id for p in odd.personas] == [PERSONA]  # the odd one out
    card = persona_card(library.personas[PERSONA])
    assert buyer.card == card and agent.product["product"] == card["product"]

    def exchange(seat, text, who):
        n = len(buyer.lines)
        seat.say(text)
        wait_until(lambda: (recs["甲"].update(), recs["乙"].update(),
                            len(buyer.lines) > n and len(agent.lines) > n)[-1], what=f"{who}'s line to arrive")

    exchange(buyer, "在吗?这双护士鞋能便宜点吗", "buyer")
    exchange(agent, "亲,您好!我们家都是明码标价的哦,这款质量很好,值这个价呢", "agent")
    exchange(buyer, "别家才139,你们再少点我就拍了", "buyer")
    exchange(agent, "亲,给您160元,再送您一双鞋垫,感谢您的惠顾", "agent")
    assert lines_of(buyer) == lines_of(agent)
    assert agent.lines[1]["feedback"] is not None and buyer.lines[1]["feedback"] is None  # practice: agent only
    buyer.end("success")
    wait_until(lambda: (recs["甲"].update(), recs["乙"].update(), buyer.finished and agent.finished)[-1],
               what="rp_over")
    assert agent.outcome == buyer.outcome == "success"
    total = agent.result["total"]
    assert total is not None and agent.result["report"]["turns"] == 2
    row = next(r for r in host.leaderboard() if r["name"] == "乙")
    assert row["score"] == total and row["outcome"] == "success" and row["role"] == "agent"
    assert next(r for r in host.leaderboard() if r["name"] == "甲")["role"] == "buyer"
    tr = host.transcript("甲")  # the buyer's view is the chat they played in
    assert [m["text"] for m in tr[0]["messages"]] == lines_of(agent)

    # the card and anything about the persona's private brief reached the buyer only
    for n in ("乙", "丙"):
        blob = json.dumps(recs[n].seen, ensure_ascii=False)
        assert card["summary"] not in blob and card["want"] not in blob and '"card": {' not in blob
        assert all(m.get("card") is None for m in recs[n].seen if m["type"] == "round_start")
    assert sum(1 for m in recs["甲"].seen if m["type"] == "round_start" and m.get("card")) == 1
    # the odd student saw nothing of the pair's chat
    assert not [m for m in recs["丙"].seen if m["type"] in ("rp_line", "rp_over")]

    end_round(host, students.values())
    host.flush()
    s = next(x for x in store.sessions() if x.profile == "乙")
    assert s.source == "classroom" and s.outcome == "success" and s.total == total and s.info["role"] == "agent"
    assert [m.text for m in store.messages(s.id)] == lines_of(agent)

    # roles swap in the next role-play round
    info2 = host.start_round([PERSONA], roleplay=True, seed=4)
    assert (info2["pairs"][0]["buyer"], info2["pairs"][0]["agent"]) == ("乙", "甲")
    r2 = info2["round"]
    assert wait_round(students["乙"], round_id=r2).role == "buyer"
    assert wait_round(students["甲"], round_id=r2).role == "agent"
    assert isinstance(wait_round(students["丙"], round_id=r2), StudentRound)


def test_only_the_buyer_ends_and_nothing_is_said_after_the_end(make_host, make_student):
    host = make_host()
    a, b = make_student(host, "一"), make_student(host, "二")
    joined(a.client)
    joined(b.client)
    host.start_round([PERSONA], roleplay=True, mode="exam")
    ra, rb = wait_round(a), wait_round(b)
    buyer, agent = (ra, rb) if ra.role == "buyer" else (rb, ra)
    bs, ag = (a, b) if buyer is ra else (b, a)
    with pytest.raises(ValueError, match="买家"):
        agent.end("success")
    agent._send("rp_end", round=agent.round, outcome="success")  # a modified client tries anyway
    err = wait_until(lambda: [m for m in ag.update(tick=False) if m["type"] == "error"], what="refusal")
    assert err[0]["reason"] == "wrong_role"
    buyer.say("你好")
    agent.say("亲,您好")
    wait_until(lambda: (bs.update(tick=False), ag.update(tick=False), len(agent.lines) == 2)[-1], what="lines")
    assert agent.lines[1]["feedback"] is None  # exam: no feedback during the chat
    buyer.end("bad_review")
    wait_until(lambda: (bs.update(tick=False), ag.update(tick=False), agent.finished)[-1], what="rp_over")
    assert agent.outcome == "bad_review"
    buyer._send("rp_say", round=buyer.round, text="还在吗")
    err = wait_until(lambda: [m for m in bs.update(tick=False) if m["type"] == "error"], what="refusal")
    assert err[0]["reason"] == "chat_over"
    acked(bs.client, host)
    acked(ag.client, host)


def test_a_human_buyer_chat_is_scored_exactly_like_a_simulated_one(library, reader, judge_factory):
    """The same buyer lines and agent replies at the same times: the same feedback and the same report."""
    from game.scoring.report import build_report
    persona = library.personas[PERSONA]
    clock = ManualClock()
    judge = judge_factory()
    conv = Conversation(persona, reader, clock, np.random.default_rng(3), judge=judge, defaults=library.buyer_defaults)
    script = [(4, "亲,您好!很高兴为您服务"), (6, "我们家都是明码标价的,质量很好,值这个价呢"), (9, "不行,不能便宜")]
    for delay, text in script:
        clock.advance(delay)
        conv.tick()
        conv.trainee_says(text)
    clock.advance(10)
    conv.tick()
    conv.outcome = conv.outcome or "lost"

    clock2 = ManualClock()
    judge2 = judge_factory()
    human = HumanBuyerChat(persona, reader, clock2, judge=judge2)
    for m in conv.transcript:
        clock2.set(m.time)
        if m.who == "buyer":
            human.buyer_says(m.text)
        else:
            human.trainee_says(m.text)
    human.end(conv.outcome)
    got = [m.feedback.to_dict() for m in human.transcript if m.who == "agent"]
    want = [m.feedback.to_dict() for m in conv.transcript if m.who == "agent"]
    for g, w in zip(got, want):
        g.pop("mood_delta"), w.pop("mood_delta")
    assert got == want
    r1, r2 = build_report(conv, judge.scorer), build_report(human, judge2.scorer)
    assert r2.dimensions["politeness"] == r1.dimensions["politeness"] and r2.dimensions["taboo"] == r1.dimensions["taboo"]
    assert r2.timing["first_reply"] == r1.timing["first_reply"]


def test_a_roleplay_student_who_drops_or_restarts_sees_the_whole_chat(make_host, make_student, tmp_path):
    host = make_host()
    a = make_student(host, "一")
    joined(a.client)
    seats = tmp_path / "classroom-seats.json"  # kept across the restart
    b = make_student(host, "二", key_file=seats)
    joined(b.client)
    host.pair()
    host.start_round([PERSONA], roleplay=True)
    buyer, agent = wait_round(a), wait_round(b)
    assert (buyer.role, agent.role) == ("buyer", "agent")

    def pump(pred, what):
        return wait_until(lambda: (a.update(tick=False), b.update(tick=False), pred())[-1], what=what)

    buyer.say("你好")
    pump(lambda: len(agent.lines) == 1, "the first line")
    b.client.drop()
    buyer.say("在吗?")            # said while the agent is away
    pump(lambda: b.client.connections == 2 and len(agent.lines) == 2, "the agent to rejoin and catch up")
    agent.say("亲,您好")
    pump(lambda: len(buyer.lines) == 3, "the reply")
    acked(b.client, host)

    b.client.close(flush=False, bye=False)  # the agent's program is restarted
    wait_until(lambda: not [s for s in host.students() if s["name"] == "二"][0]["connected"], what="the drop")
    b2 = make_student(host, "二", key_file=seats)
    joined(b2.client)
    seat = wait_round(b2)
    wait_until(lambda: (b2.update(tick=False), len(seat.lines) == 3)[-1], what="the history")
    assert [m["text"] for m in seat.lines] == ["你好", "在吗?", "亲,您好"] and seat.lines[2]["feedback"]
    seat.say("给您包邮哦")
    wait_until(lambda: (a.update(tick=False), len(buyer.lines) == 4)[-1], what="the restarted agent's line")
