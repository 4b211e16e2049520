"""Judged in context: steps set out as a list, a weak point of one colour, owning a fault, and moves
credited only from replies on the same topic."""
from game.scoring.scorer import ReplyContext


def _rules(scorer, text, **ctx):
    return set(scorer.score(text, ReplyContext(**ctx)).rules)


STEPS = ("亲,能退的,步骤给您列一下:\n"
         "1. 七天内在订单页点申请退货,理由选不喜欢就可以;\n"
         "2. 衣服叠好装回原来的袋子,寄到我们仓库,地址稍后发您;\n"
         "3. 仓库签收验货没问题以后,主管会统一给您登记退款;\n"
         "4. 退款进度我帮您盯着,一有消息马上告诉您。\n"
         "还有哪里要问的随时找我~")


def test_steps_one_a_line_are_no_monologue(scorer):
    assert "taboo_monologue" not in _rules(scorer, STEPS)
    # the same words run together are too much to read at once
    assert "taboo_monologue" in _rules(scorer, STEPS.replace("\n", ""))


def test_a_weak_point_of_one_colour_is_not_denied_by_another(scorer):
    lists = {"weak_points": ("白色不太耐脏",), "colors": ("白色", "粉色", "浅蓝")}
    assert "fact_weak_point_denied" not in _rules(scorer, "儿科的话选粉色吧,粉色不显脏,打理省心", lists=lists)
    assert "fact_weak_point_denied" in _rules(scorer, "白色也不显脏的,放心选", lists=lists)


def test_owning_the_fault_is_no_blame(scorer):
    owned = _rules(scorer, "亲,包裹几天不动是我们没跟进好,这是我们的责任,我马上给您安排补发")
    assert not owned & {"meaning_blame", "blame_courier", "blame_not_us"}
    shifted = _rules(scorer, "那是快递的问题,您去找快递吧")
    assert shifted & {"meaning_blame", "blame_courier"}


def test_a_move_counts_from_an_earlier_reply_only_on_the_same_topic(scorer):
    # asked her size before, for the size question; now she asks for an invoice
    res = scorer.score("可以开的亲,按实际付款金额开普通发票",
                       ReplyContext(buyer="能开发票吗?", earlier=("平时穿37,这款要拍几码?",),
                                    previous=("这款偏小半码,您平时穿多大码呀?",)))
    assert res.situation == "invoice"
    asked = next(m for m in res.moves if m.move.id == "details")  # 询问抬头税号或订单
    assert not asked.met and "多大码" not in asked.text


def test_an_apology_said_earlier_in_the_chat_is_not_owed_again(scorer):
    reply = "万一确认丢件,我们直接给您补发一条,不会让您吃亏的"
    buyer = "那要是丢了怎么办?我下周要穿去喝喜酒的"
    fresh = scorer.score(reply, ReplyContext(buyer=buyer, situation="late_parcel"))
    # the apology came five replies ago, before the order number, the check and the courier's answer
    said = scorer.score(reply, ReplyContext(buyer=buyer, situation="late_parcel",
                                            earlier=("一个星期了快递还没到", "订单号2306158809176", "快点查",
                                                     "查到了吗", "圆通怎么说"),
                                            previous=("真不好意思让您久等了,麻烦发下订单号", "收到,我查一下",
                                                      "在查了,马上好", "查到了,卡在郑州转运中心",
                                                      "我联系圆通催了,等回复")))
    owed = lambda res: [m.move.id for m in res.moves if m.move.required and not m.met]  # noqa: E731
    assert "apology" in owed(fresh) and "apology" not in owed(said)
    assert said.score > fresh.score
