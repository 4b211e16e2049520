"""The engine as a caller sees it: events, patience, mood, endings, determinism, several chats."""
import numpy as np
import pytest

from game.engine.clock import ManualClock
from game.engine.conversation import Conversation
from game.engine.desk import Desk
from game.engine.script import parse_script, simulate


def make(library, reader, pid="haggler-nurse-shoes", seed=1, judge=None):
    clock = ManualClock()
    conv = Conversation(library.personas[pid], reader, clock, np.random.default_rng(seed),
                        defaults=library.buyer_defaults, judge=judge)
    return conv, clock


def run(conv, clock, seconds, step=0.5):
    events = []
    for _ in range(int(seconds / step)):
        clock.advance(step)
        events += conv.tick()
    return events


def test_buyer_types_then_speaks(library, reader):
    conv, clock = make(library, reader)
    first = conv.tick()
    assert [e.kind for e in first] == ["buyer_typing"]
    assert conv.buyer_typing
    events = run(conv, clock, 2)
    lines = [e for e in events if e.kind == "buyer_line"]
    assert len(lines) == 1 and lines[0].text in library.personas["haggler-nurse-shoes"].states["opening"].say
    assert not conv.buyer_typing


def test_reply_moves_the_state_and_the_buyer_answers(library, reader):
    conv, clock = make(library, reader)
    run(conv, clock, 2)
    clock.advance(3)
    events = conv.trainee_says("亲,您好!欢迎光临,很高兴为您服务")
    assert any(e.kind == "state" and e.text == "asking" for e in events)
    assert conv.transcript[-1].wait == pytest.approx(4.0)
    later = run(conv, clock, 10)
    said = [e.text for e in later if e.kind == "buyer_line"]
    assert said and ("便宜" in said[0] or "贵" in said[0] or "少" in said[0])
    assert "168" in said[0] or "软底护士鞋" in said[0]  # placeholders filled


def test_waiting_buyer_nudges_then_leaves(library, reader):
    conv, clock = make(library, reader)
    events = run(conv, clock, 120)
    kinds = [e.data.get("kind") for e in events if e.kind == "buyer_line"]
    assert kinds.count("nudge") == library.personas["haggler-nurse-shoes"].buyer.nudges
    nudge_times = [e.time for e in events if e.kind == "buyer_line" and e.data.get("kind") == "nudge"]
    # First nudge when the first-reply limit (15 s) has passed since the opening line.
    assert nudge_times[0] == pytest.approx(1.0 + 15 + 1.0, abs=0.6)
    assert conv.outcome == "lost" and conv.outcome_reason == "timeout"
    assert events[-1].kind == "outcome"


def test_timeout_transition_is_used_when_the_persona_has_one(library, reader):
    conv, clock = make(library, reader, pid="damaged-dress")
    run(conv, clock, 120)
    assert conv.outcome == "bad_review" and conv.state == "bad_review"


def test_nonsense_makes_the_buyer_ask_back(library, reader):
    conv, clock = make(library, reader)
    run(conv, clock, 2)
    mood = conv.mood
    conv.trainee_says("asdfgh 12345")
    events = run(conv, clock, 10)
    lines = [e for e in events if e.kind == "buyer_line"]
    assert lines[0].data["kind"] == "confused"
    assert lines[0].text in library.buyer_defaults.confused_lines
    assert conv.state == "opening" and conv.mood < mood and conv.vars["confused"] == 1


def test_understood_but_unexpected_makes_the_buyer_repeat(library, reader):
    conv, clock = make(library, reader)
    run(conv, clock, 2)
    conv.trainee_says("您好,很高兴为您服务")
    run(conv, clock, 10)
    conv.trainee_says("祝您生活愉快,欢迎下次光临")  # a farewell while she is asking for a discount
    events = run(conv, clock, 10)
    line = next(e for e in events if e.kind == "buyer_line")
    assert line.data["kind"] == "repeat" and conv.state == "asking"


def test_conditions_guard_the_floor_price(library, reader):
    conv, clock = make(library, reader)
    run(conv, clock, 2)
    conv.trainee_says("您好")
    run(conv, clock, 10)
    conv.trainee_says("给您算140元吧")
    assert conv.vars["offer_price"] == 140 and conv.vars["concessions"] == 1
    run(conv, clock, 10)
    assert conv.outcome == "success" and "below_floor" in conv.flags


def test_small_concession_is_a_normal_deal(library, reader):
    conv, clock = make(library, reader)
    run(conv, clock, 2)
    conv.trainee_says("您好")
    run(conv, clock, 10)
    conv.trainee_says("亲,给您算160元可以吗")
    assert conv.state == "considering" and conv.vars["last_concession"] == 8


class RudeJudge:
    class Feedback:
        mood_delta = -50

    def judge(self, conv, message, reading):
        return self.Feedback()


def test_judge_feedback_moves_the_mood_at_once(library, reader):
    conv, clock = make(library, reader, judge=RudeJudge())
    run(conv, clock, 2)
    events = conv.trainee_says("您好")
    assert any(e.kind == "feedback" for e in events)
    assert conv.transcript[-1].feedback is not None
    assert conv.mood <= 20  # 60 + 5 (greet) - 50


def test_same_seed_same_chat(library, reader):
    steps = parse_script("+4s 您好\n+5s 我们家明码标价,质量很好\n+6s 给您算160元,再送您鞋垫\n+5s 今天就发货\n")
    a = simulate(library.personas["haggler-nurse-shoes"], steps, reader, seed=11, defaults=library.buyer_defaults)
    b = simulate(library.personas["haggler-nurse-shoes"], steps, reader, seed=11, defaults=library.buyer_defaults)
    assert a.to_dict() == b.to_dict()
    texts = {tuple(m["text"] for m in simulate(library.personas["haggler-nurse-shoes"], steps, reader, seed=s,
                                               defaults=library.buyer_defaults).to_dict()["transcript"])
             for s in range(6)}
    assert len(texts) > 1  # other seeds pick other line variants


def test_finished_chat_ignores_more_text(library, reader):
    conv, clock = make(library, reader)
    run(conv, clock, 200)
    assert conv.finished
    assert conv.trainee_says("还在吗") == []


def test_desk_runs_several_buyers_on_one_clock(library, reader):
    clock = ManualClock()
    desk = Desk(reader, clock, np.random.default_rng(5), defaults=library.buyer_defaults)
    a = desk.open(library.personas["haggler-nurse-shoes"])
    desk.arrive(library.personas["chatty-office-lady"], at=10)
    desk.arrive(library.personas["damaged-dress"], at=20)
    events = []
    for _ in range(60):
        clock.advance(0.5)
        events += desk.tick()
    assert len(desk.chats) == 3
    opened = [e.chat for e in events if e.kind == "chat_opened"]
    assert len(opened) == 2
    desk.say(a.id, "您好,很高兴为您服务")
    assert a.state == "asking"
    # Every chat keeps its own transcript; lines are tagged with their chat.
    for cid, conv in desk.chats.items():
        assert all(e.chat in desk.chats for e in events)
        assert conv.transcript and conv.transcript[0].who == "buyer"
    for _ in range(400):
        clock.advance(1)
        desk.tick()
    assert desk.done


def test_script_parsing():
    steps = parse_script("# comment\n\n+4s 您好\n这款有货\n+30s\n+1.5s 好的\n+1m 再见\n")
    assert [(s.delay, s.text) for s in steps] == [(4, "您好"), (5.0, "这款有货"), (30, None), (1.5, "好的"),
                                                   (60, "再见")]
    from game.engine.script import ScriptError
    with pytest.raises(ScriptError) as exc:
        parse_script("+4s 好\n+abc 不对\n")
    assert exc.value.line == 2


def test_reply_time_counts_from_the_first_unanswered_line(library, reader):
    conv, clock = make(library, reader)
    events = run(conv, clock, 20)  # opening line at 1 s, a nudge at about 17 s
    assert any(e.data.get("kind") == "nudge" for e in events if e.kind == "buyer_line")
    assert conv.waiting_since == pytest.approx(1.0)
    conv.trainee_says("您好")
    assert conv.transcript[-1].wait == pytest.approx(19.0)
    assert conv.waiting_since is None


def test_an_offline_buyer_starts_no_reply_clock(library, reader):
    p = library.personas["offline-planter-buyer"]
    assert any(s.away for s in p.states.values())
    conv, clock = make(library, reader, pid="offline-planter-buyer")
    run(conv, clock, 3)
    conv.trainee_says("亲,您好!很高兴为您服务")
    run(conv, clock, 10)
    conv.trainee_says("您稍等,我帮您算一下")  # she has to go and goes offline
    run(conv, clock, 10)
    assert p.states[conv.state].away and conv.waiting_since is None
    clock.advance(40)
    conv.tick()
    conv.trainee_says("亲,120x40x40cm定制是260元,5-7天做好,还送您一套园艺三件套")
    left = conv.transcript[-1]
    assert left.kind == "message" and left.wait == 0


def _buyer_lines(conv, clock, text, seconds=12):
    clock.advance(3)
    conv.trainee_says(text)
    return [e.text for e in run(conv, clock, seconds) if e.kind == "buyer_line"]


def test_a_buyer_answers_what_she_is_asked_before_going_on(library, reader):
    persona = library.personas["suede-boot-snow"]
    sizes = persona.buyer.answers["size"]
    conv, clock = make(library, reader, pid="suede-boot-snow")
    run(conv, clock, 2)
    said = _buyer_lines(conv, clock, "您好亲~靴子有啥问题您尽管问哈。您平时穿多大码呀?")
    assert said and said[0].startswith(sizes)  # her answer first, then her own next line
    assert len(said[0]) > max(map(len, sizes)) + 1
    again = _buyer_lines(conv, clock, "反绒面确实不太耐水,雪天要喷防水喷雾哈。您平时穿多大码呢?")
    assert again and not again[0].startswith(sizes)  # answered once a chat


def test_a_statement_or_an_unknown_topic_gets_no_answer(library, reader):
    persona = library.personas["suede-boot-snow"]
    told = [x for lines in persona.buyer.answers.values() for x in lines]
    conv, clock = make(library, reader, pid="suede-boot-snow")
    run(conv, clock, 2)
    said = _buyer_lines(conv, clock, "您好亲~这款偏小半码,靴子有啥问题您尽管问哈")  # 码, but no question
    assert said and not any(x in said[0] for x in told)


def test_a_greeting_with_a_question_does_not_skip_the_buyers_own_question(library, reader):
    # "您好,想看看什么鞋?" answers her "在吗": she still asks which colour she should take
    persona = library.personas["indecisive-colours"]
    conv, clock = make(library, reader, pid="indecisive-colours")
    run(conv, clock, 2)
    said = _buyer_lines(conv, clock, "您好呀,欢迎光临~今天想看看什么鞋?")
    assert said and said[0] in persona.states["torn"].say
    assert conv.state == "torn"


def test_an_answer_given_early_is_neither_heard_as_another_answer_nor_asked_for_again(library, reader):
    # the invoice said along with the assurance does not answer her doubt about sales; once that is
    # answered she does not ask about invoices she was already told of
    persona = library.personas["authenticity-doubter"]
    conv, clock = make(library, reader, pid="authenticity-doubter")
    run(conv, clock, 2)
    _buyer_lines(conv, clock, "您好亲,欢迎光临~")
    said = _buyer_lines(conv, clock, "亲放心,店里卖的都是正品,公司名义开的店,还能给您开正规发票")
    assert said and said[0] in persona.states["sales_q"].say
    said = _buyer_lines(conv, clock, "这款是新上架的,所以评价还不多,用料做工都是一样的扎实")
    assert conv.state != "invoice_q" and not any("发票" in x and "?" in x for x in said)


def test_a_greeting_with_a_question_about_her_is_answered_at_once(library, reader):
    # "您好~平时穿多大码呀?" asks what she came to ask about: she tells her size straight away
    persona = library.personas["size-advice-nurse"]
    conv, clock = make(library, reader, pid="size-advice-nurse")
    run(conv, clock, 2)
    said = _buyer_lines(conv, clock, "您好亲~尺码我帮您看,您平时一般穿多大码呀?")
    assert conv.state == "fit" and said and said[0] in persona.states["fit"].say


def test_a_request_for_her_size_is_a_question_not_size_advice(library, reader):
    # "把码数告诉我,我帮您看看" asks: she tells her size and is not moved on as if advised
    persona = library.personas["size-advice-nurse"]
    sizes = persona.buyer.answers["size"]
    conv, clock = make(library, reader, pid="size-advice-nurse")
    run(conv, clock, 2)
    _buyer_lines(conv, clock, "亲,您好~")
    said = _buyer_lines(conv, clock, "您把平时穿的码数告诉我一下,我帮您看看")
    assert said and said[0].startswith(sizes)
    # she is not told off for being advised without being asked ("你都没问我平时穿多大…")
    unasked = persona.states["asking"].on["answer_size"][0].say
    assert not any(x in said for x in unasked)


def test_a_buyer_does_not_answer_twice_what_her_next_line_says(library, reader):
    # asked her size, she goes on with "27的腰太紧了…": no "买的27,腰太紧了" glued in front of it
    conv, clock = make(library, reader, pid="exchange-jeans-size", seed=47)
    run(conv, clock, 2)
    said = _buyer_lines(conv, clock, "亲,在的~签收七天内吊牌还在没洗过都能换码,您现在穿几码,想换几码呢?")
    assert said and said[0].count("腰太紧") <= 1


def test_a_bare_which_asks_about_what_its_sentence_names(library, reader):
    # "颜色有A、B和C,您喜欢哪种?": a colour question, though 颜色 stands before the question clause
    persona = library.personas["planter-custom-first-timer"]
    colours = tuple(persona.buyer.answers["color"])
    steps = ["阿姨您好,在的!不难的,您量一下要放的地方,告诉我长、宽,高度按想种的东西定。",
             "就量阳台上放花箱那块地方,长宽高都量,量好告诉我数字就行,我帮您核对。",
             ]
    told = "好的,记下了。做好要5到7天,德邦送货,包邮,还送一套园艺工具。"

    def last_line(question):
        conv, clock = make(library, reader, pid="planter-custom-first-timer")
        run(conv, clock, 2)
        for text in steps:
            _buyer_lines(conv, clock, text)
        said = _buyer_lines(conv, clock, question)
        assert said
        return said[0]

    assert last_line(told + "花箱颜色有原木色、碳化色和清漆三种,您喜欢哪种呀?").startswith(colours)
    # a bare "which" after a sentence that names no topic of hers asks nothing of her
    assert not last_line(told + "付款方式有支付宝和花呗两种,您用哪种呀?").startswith(colours)


def test_size_advice_in_its_own_sentence_stands_beside_a_question_about_her_size(library, reader):
    # "您穿几码?这款偏小半码,建议拍大一码": the advice is given, so she does not ask whether her usual size fits
    def chat(last):
        conv, clock = make(library, reader, pid="haggler-nurse-shoes", seed=63)
        run(conv, clock, 2)
        _buyer_lines(conv, clock, "亲,在的,欢迎光临~")
        _buyer_lines(conv, clock, "亲,168是正常售价,头层牛皮软底,站一天也不累;价格动不了,帮您申请一副鞋垫,满99包邮。")
        _buyer_lines(conv, clock, last)
        return conv

    advised = chat("下午三点半前付款今天就发。您要哪个颜色、穿多大码呢?这款偏小半码,建议按平时的码拍大一码。")
    asked = chat("下午三点半前付款今天就发。您平时穿多大码呢?告诉我,我帮您看看拍哪个码。")
    assert advised.vars.get("said.answer_size", 0) >= 1
    assert asked.vars.get("said.answer_size", 0) == 0
