"""Chat reports of simulated chats: the shipped good and bad scripts, caps, closing facts, the judge's mood."""
import json

import numpy as np
import pytest

from game.content.testcases import load_tests
from game.content.testcases import test_files as list_test_files
from game.engine.clock import ManualClock
from game.engine.conversation import Conversation
from game.engine.script import parse_script, simulate
from game.language.reader import Reader
from game.scoring.judge import Judge
from game.scoring.report import build_report, format_report

from tests.conftest import CONTENT


@pytest.fixture(scope="module")
def cases(library):
    out = {}
    for f in list_test_files(CONTENT / "personas"):
        _rep, tf = load_tests(f, library)
        if tf is not None:
            for c in tf.cases:
                out[(tf.persona, c.name)] = c
    return out


def run(library, reader, scorer, persona, case):
    judge = Judge(scorer)
    result = simulate(library.personas[persona], list(case.steps), reader, seed=case.seed,
                      defaults=library.buyer_defaults, judge=judge)
    return result, build_report(result.conversation, scorer)


PERSONAS = ("haggler-nurse-shoes", "damaged-dress", "chatty-office-lady")


@pytest.mark.parametrize("persona", PERSONAS)
def test_good_and_bad_agents_of_the_first_personas(library, reader, scorer, cases, persona):
    _res, good = run(library, reader, scorer, persona, cases[(persona, "good-agent")])
    _res, bad = run(library, reader, scorer, persona, cases[(persona, "bad-agent")])
    assert good.total >= 80 and good.grade in ("A", "B"), good.to_dict()
    assert bad.total <= 50 and bad.grade == "E", bad.to_dict()
    assert good.outcome == "success" and bad.outcome in ("lost", "bad_review")
    for rep in (good, bad):
        d = json.loads(json.dumps(rep.to_dict(), ensure_ascii=False))
        assert set(d["dimensions"]) == {"politeness", "taboo", "timing", "flow", "closing"}
        assert all(0 <= v["score"] <= 100 for v in d["dimensions"].values())
        assert len(d["improvements"]) <= 3
        assert "总分" in format_report(rep)
    # the bad agent is told what to say instead, quoting their own words
    texts = [m["text"] for m in bad.messages]
    assert len(bad.improvements) == 3
    for imp in bad.improvements:
        assert imp.rewrite and imp.why
        assert not imp.quote or any(imp.quote in t for t in texts)
        assert imp.rewrite != imp.quote


def test_every_shipped_good_agent_passes_and_every_bad_agent_fails(library, reader, scorer, cases):
    for (persona, name), case in cases.items():
        if name not in ("good-agent", "bad-agent"):
            continue
        _res, rep = run(library, reader, scorer, persona, case)
        if name == "good-agent":
            assert rep.total >= 80, (persona, rep.total, [i.to_dict() for i in rep.improvements])
        else:
            assert rep.total <= 50, (persona, rep.total, {k: v["score"] for k, v in rep.dimensions.items()})


def test_haggle_closing_facts(library, reader, scorer, cases):
    _res, rep = run(library, reader, scorer, "haggler-nurse-shoes", cases[("haggler-nurse-shoes", "good-agent")])
    cl = rep.closing
    assert cl["kind"] == "sale" and cl["list_price"] == 168 and cl["floor_price"] == 150
    assert cl["final_price"] == 160 and cl["concessions"] == 1 and cl["steps"][0]["step"] == 8
    assert cl["gift"] == "鞋垫" and not cl["below_floor"]
    seq = [s["stage"] for s in rep.stages["covered"]]
    assert seq[0] == "greeting" and seq[-2:] == ["confirm", "farewell"] and not rep.stages["out_of_order"]
    assert rep.timing["first_reply"] is not None and rep.timing["golden"]


def test_below_floor_caps_the_total(library, reader, scorer, cases):
    _res, rep = run(library, reader, scorer, "haggler-nurse-shoes",
                    cases[("haggler-nurse-shoes", "gives-away-the-floor")])
    assert rep.closing["below_floor"] and rep.closing["final_price"] == 140
    assert rep.total <= 60 and any(c["applied"] for c in rep.caps)
    assert any(i.id == "haggle_below_floor" for i in rep.improvements)


def test_insult_caps_the_total(library, reader, scorer, cases):
    _res, rep = run(library, reader, scorer, "haggler-nurse-shoes", cases[("haggler-nurse-shoes", "bad-agent")])
    assert rep.total <= 40
    assert any("攻击" in c["why"] for c in rep.caps)
    assert rep.improvements[0].id == "insult_rude" and rep.improvements[0].quote == "爱买不买"


def test_after_sales_report(library, reader, scorer, cases):
    _res, rep = run(library, reader, scorer, "damaged-dress", cases[("damaged-dress", "good-agent")])
    cl = rep.closing
    assert rep.flow == "after_sales" and cl["settled"] and cl["exchange"]
    assert cl["cost"]["freight"] == 24 and cl["cost"]["refund"] == 0
    assert rep.total >= 90


def test_silent_agent(library, reader, scorer, cases):
    _res, rep = run(library, reader, scorer, "haggler-nurse-shoes", cases[("haggler-nurse-shoes", "silent-agent")])
    assert rep.total <= 10 and not rep.messages
    assert all(d["score"] == 0 for k, d in rep.dimensions.items() if k != "closing")
    assert any(i.kind == "timing" for i in rep.improvements)


def test_report_without_judge_matches_report_with_judge(library, reader, scorer, cases):
    case = cases[("chatty-office-lady", "good-agent")]
    plain = simulate(library.personas["chatty-office-lady"], list(case.steps), reader, seed=case.seed,
                     defaults=library.buyer_defaults)
    rep = build_report(plain.conversation, scorer)
    _res, judged = run(library, reader, scorer, "chatty-office-lady", case)
    assert [m["violations"] for m in rep.messages] == [m["violations"] for m in judged.messages]


def _conv(library, reader, judge, pid="chatty-office-lady"):
    clock = ManualClock()
    conv = Conversation(library.personas[pid], reader, clock, np.random.default_rng(1), judge=judge,
                        defaults=library.buyer_defaults)
    clock.set(2.0)
    conv.tick()
    return conv, clock


def test_a_rude_reply_makes_the_buyer_colder_at_once(library, reader, scorer):
    # Read by the phrase rules alone, "你到底要不要" is no intent her state reacts to: only the judge
    # can make her colder.
    rules = Reader(library.intents, library.lexicon, fusion="rules")
    steps = "+3s 亲,您好!很高兴为您服务\n+5s 你到底要不要\n"
    plain = simulate(library.personas["chatty-office-lady"], parse_script(steps), rules, seed=1,
                     defaults=library.buyer_defaults)
    judged = simulate(library.personas["chatty-office-lady"], parse_script(steps), rules, seed=1,
                      defaults=library.buyer_defaults, judge=Judge(scorer))
    fb = [m.feedback for m in judged.conversation.transcript if m.who == "agent"]
    assert fb[1].mood_delta < 0 and "taboo_interrogate" in fb[1].rules
    assert fb[0].mood_delta > 0  # a clean, polite greeting warms her
    assert judged.conversation.mood < plain.conversation.mood
    events = [e for e in judged.events if e.kind == "feedback"]
    assert len(events) == 2 and events[1].data["feedback"] is fb[1]
    # The learned reader understands it as rude: her own script makes her colder, and the judge
    # does not count it twice.
    learned = simulate(library.personas["chatty-office-lady"], parse_script(steps), reader, seed=1,
                       defaults=library.buyer_defaults, judge=Judge(scorer))
    fb = [m.feedback for m in learned.conversation.transcript if m.who == "agent"]
    assert "rude" in fb[1].intents and fb[1].mood_delta == 0
    assert learned.conversation.mood < plain.conversation.mood


def test_a_name_from_another_chat_is_a_privacy_leak(library, reader, scorer):
    judge = Judge(scorer)
    a, _ = _conv(library, reader, judge, "damaged-dress")
    b, _ = _conv(library, reader, judge, "haggler-nurse-shoes")
    a.trainee_says("非常抱歉给您添麻烦了,您先别着急")
    b.trainee_says("亲,您好!王女士刚才也在我们家买了东西")
    fb = b.transcript[-1].feedback
    assert "privacy_other_chat" in fb.rules
    hit = next(h for h in fb.hits if h.rule == "privacy_other_chat")
    assert hit.text == "王女士"


@pytest.mark.parametrize("left_for, penalised", [(29.0, True), (6.0, False)])
def test_a_buyer_left_waiting_when_the_chat_is_cut_off_costs_timing(library, reader, scorer, left_for, penalised):
    from game.store.rerun import advance
    clock = ManualClock()
    conv = Conversation(library.personas["haggler-nurse-shoes"], reader, clock, np.random.default_rng(1),
                        judge=Judge(scorer), defaults=library.buyer_defaults)
    advance(conv, clock, 5.0)
    conv.trainee_says("亲,您好!很高兴为您服务")
    advance(conv, clock, 20.0)
    asked = next(m.time for m in conv.transcript if m.who == "buyer" and m.time > 5.0)
    advance(conv, clock, asked + left_for)  # the trainee quits (or the round ends) here
    assert conv.outcome is None
    rep = build_report(conv, scorer)
    timing = rep.to_dict()["dimensions"]["timing"]
    titles = [i.title for i in rep.improvements]
    if penalised:
        assert timing["score"] <= 70 and any("29" in n for n in timing["notes"])
        assert "结束时买家的消息还没有回复" in titles
    else:
        assert timing["score"] == 100 and "结束时买家的消息还没有回复" not in titles


def test_an_exchange_chosen_over_a_refund_offered_costs_no_refund(library, reader, scorer):
    from types import SimpleNamespace

    from game.engine.script import parse_script
    steps = parse_script("+5s 真抱歉让您收到这样的裙子,麻烦拍张开线的照片给我\n"
                         "+10s 看到了,是我们没检查好,您看换新的还是退款都行,来回运费我们出\n")
    res, rep = run(library, reader, scorer, "damaged-dress", SimpleNamespace(steps=steps, seed=5))
    assert res.conversation.outcome == "success"
    assert "refunded" not in res.conversation.flags
    assert rep.closing["cost"]["refund"] == 0 and rep.closing["cost"]["freight"] > 0


def test_the_report_names_the_shops_gift_in_full(library, reader, scorer):
    from types import SimpleNamespace

    from game.engine.script import parse_script
    steps = parse_script("+5s 您好亲,在的\n+9s 满199包邮哦,您再加个40的方形花箱就够了\n"
                         "+10s 两个一起拍给您备注包邮,每单还送一套园艺三件套\n")
    _res, rep = run(library, reader, scorer, "free-shipping-planter", SimpleNamespace(steps=steps, seed=7))
    assert rep.closing["gift"] == "园艺三件套"


def _play(library, reader, scorer, persona, script, seed):
    from types import SimpleNamespace
    return run(library, reader, scorer, persona, SimpleNamespace(steps=parse_script(script), seed=seed))


def test_a_buyer_who_takes_the_exchange_costs_no_refund_even_when_both_were_offered(library, reader, scorer):
    res, rep = _play(library, reader, scorer, "exchange-jeans-size",
                     "+4s 亲您好,裤子小了别着急,7天内可以换也可以退的哦\n+8s 吊牌在没洗过就行\n"
                     "+8s 建议换28码,有现货\n+8s 抱歉亲,非质量问题回寄运费要您出一下哦\n"
                     "+9s 您在订单里申请换货,寄回来时附张纸条写订单号和28码\n+6s 好的亲,给您换28码,感谢支持~\n", 1)
    assert res.conversation.outcome == "success"
    assert rep.closing["exchange"] and not rep.closing["refund"]
    assert rep.closing["cost"]["refund"] == 0
    assert "售后已解决(换货)" in format_report(rep)


def test_a_resend_promised_if_the_parcel_is_lost_is_no_exchange_and_costs_nothing_yet(library, reader, scorer, cases):
    res, rep = run(library, reader, scorer, "late-parcel-dress", cases[("late-parcel-dress", "plan-before-check")])
    assert res.conversation.outcome == "success"
    assert not rep.closing["exchange"] and rep.closing["resend_promised"]
    assert rep.closing["cost"]["total"] == 0
    assert "售后已解决(承诺丢件补发)" in format_report(rep)


def test_a_compensation_said_twice_is_paid_once(library, reader, scorer):
    res, rep = _play(library, reader, scorer, "bad-review-threat-shoes",
                     "+5s 非常抱歉亲,鞋子磨脚让您受罪了,真不好意思\n"
                     "+9s 新鞋鞋面是会偏硬一些,穿几天就软了。给您补偿10元红包,再送您一双鞋垫,您看可以吗?\n"
                     "+9s 好的亲,10元红包已经给您备注好了,鞋垫跟下次订单一起寄\n+8s 感谢您的理解,祝您生活愉快\n", 2)
    assert res.conversation.outcome == "success"
    assert rep.closing["cost"]["compensation"] == 10


def test_a_two_item_order_shows_its_total(library, reader, scorer, cases):
    _res, rep = run(library, reader, scorer, "free-shipping-planter", cases[("free-shipping-planter", "good-agent")])
    assert rep.closing["final_price"] == 89 and rep.closing["order_total"] == 217
    assert "订单合计 217 元" in format_report(rep)


def test_the_gift_named_is_no_add_on_sale_and_a_farewell_left_as_a_message_ends_nothing(library, reader, scorer,
                                                                                     cases):
    _res, rep = run(library, reader, scorer, "offline-planter-buyer", cases[("offline-planter-buyer", "good-agent")])
    assert rep.closing["gift"] == "园艺三件套" and not rep.closing["upsell"]
    assert not rep.stages["out_of_order"] and not rep.stages["missing"]


def test_a_fee_added_to_the_price_is_no_discount(reader):
    from game.language.facts import offered_price
    reading = reader.read("我把顺丰的15元给您加上,一共143元,改好价您再付就行")
    assert offered_price(reading, 128, 128) is None


def test_an_apology_at_the_end_is_no_greeting_and_a_chat_without_a_sale_has_no_deal_price(library, reader, scorer):
    res, rep = _play(library, reader, scorer, "exchange-jeans-size",
                     "+4s 7天内可以换的\n+8s 吊牌在没洗过就行\n+8s 建议换28码,有现货\n"
                     "+8s 非质量问题回寄运费要您出一下哦\n+9s 您在订单里申请换货,寄回时附张纸条写订单号和28码\n"
                     "+6s 给您添麻烦了,感谢理解,祝您生活愉快\n", 1)
    assert "greeting" in rep.stages["missing"]
    assert "greeting" not in rep.stages["out_of_order"]
    _res, lost = run(library, reader, scorer, "haggler-nurse-shoes",
                     __import__("types").SimpleNamespace(steps=parse_script("+25s 在\n+12s 不行\n"), seed=0))
    assert lost.outcome != "success"
    assert "成交价" not in format_report(lost) and "未成交" in format_report(lost)


def test_the_gift_is_named_once_the_agent_names_it(library, reader, scorer):
    # "申请一双鞋垫送您" first, then "鞋垫我给您备注上了": the report names the 鞋垫, not a bare 礼品
    _res, rep = _play(library, reader, scorer, "haggler-easy-work-shoes",
                      "+5s 大哥您好,在的~看中哪双鞋了?\n"
                      "+10s 大哥,这款是耐油防滑大底,后厨地上有油也踩得稳,价格已经很实在了,我去给您申请一双鞋垫送您,您看行不?\n"
                      "+8s 下午3点半前拍下今天就给您发。您平时穿多少码?\n"
                      "+8s 好嘞大哥,黑色43码一双,鞋垫我给您备注上了,拍好后核对下地址就行,谢谢支持!\n", 61)
    assert rep.closing["gift"] == "鞋垫"


def test_free_shipping_told_with_its_threshold_is_reported_only_when_the_order_reached_it(library, reader, scorer):
    # one 128-yuan planter: "满199包邮, 两个一起拍就包邮" suggests a second one; she takes one, the report
    # says neither 256 元 nor 包邮
    res, rep = _play(library, reader, scorer, "planter-wood-scars",
                     "+5s 您好~欢迎光临木艺花箱,看中哪款花箱了?\n"
                     "+10s 实话跟您说,原木会有天然木疤,每块纹理都不一样,颜色每批也略有差别\n"
                     "+10s 做过防腐处理,放露台没问题,不过实木日晒雨淋久了难免会有细小裂纹,每年刷一遍木蜡油能用好多年\n"
                     "+9s 下午5点前付款当天发德邦。店里满199包邮,您要是想多放一个,两个一起拍就包邮了,还送园艺三件套\n"
                     "+7s 好的,60cm花箱一个128元,拍下后核对一下地址,谢谢您的支持\n", 0)
    assert rep.outcome == "success"  # the owned knots heard as the honest answer, not a denial
    cl = rep.closing
    assert not cl.get("free_shipping") and not cl.get("order_total") and cl.get("final_price") == 128
