"""Each example under "Why" of the judging issue behaves as a team lead would: a reply is judged
against the buyer message it answers (rules/situations.yaml), with the shop's facts."""
import pytest

from game.scoring.judge import guess_shop, products_context
from game.scoring.scorer import ReplyContext


@pytest.fixture(scope="module")
def judged(scorer, library):
    def run(buyer, reply, **kw):
        shop, products = guess_shop(library.shops, buyer, reply)
        nums, lists = products_context(shop, products) if shop is not None else ({}, {})
        return scorer.score(reply, ReplyContext(buyer=buyer, vars=nums, lists=lists, **kw))
    return run


def rules(res):
    return {h.rule for h in res.hits}


def better(judged, buyer, good, bad):
    g, b = judged(buyer, good), judged(buyer, bad)
    assert g.score > b.score, (good, g.score, bad, b.score)
    return g, b


# ---------------------------------------------------------------- the ceiling: substance decides the top

def test_a_bare_hello_is_not_a_full_greeting(judged):
    g, b = better(judged, "在吗", "亲,您好!我是大礼拜旗舰店3号客服小美,很高兴为您服务,请问有什么可以帮您的吗?", "您好")
    assert b.score < 80 and g.score >= 85


def test_apology_photo_and_refund_beat_talking_the_buyer_out_of_it(judged):
    g, b = better(judged, "东西坏了,我要退款!!",
                  "亲,真的非常抱歉!麻烦您拍一下坏的地方给我,核实后马上给您退款,或者给您重新补发一件,您看哪种方便?",
                  "先别急着退款嘛,凑合用用,我给您5元红包?")
    assert g.situation == "damaged_goods"
    assert "discourage_rights" in rules(b)


def test_holding_the_price_with_value_beats_caving(judged):
    g, b = better(judged, "太贵了,能便宜点吗",
                  "亲,这款是头层牛皮,软底久站不累,做工很扎实,168真的物有所值哦,现在拍下今天就能发~",
                  "那给您便宜20元吧")
    assert "discount_before_value" in rules(b)


def test_a_vague_promise_is_no_answer(judged):
    _g, b = better(judged, "东西坏了,我要退款!!",
                   "非常抱歉,您申请退款就好,我这边马上同意,退回运费我们来出", "会尽量帮您处理的")
    assert "missing_moves" in rules(b)
    assert b.rewrite and "抱歉" in b.rewrite  # the situation's model answer, not the vague words again


# ---------------------------------------------------------------- keyword false alarms

@pytest.mark.parametrize("buyer, reply, never", [
    ("这个能机洗吗", "亲,滚筒洗衣机可以洗的,选轻柔模式就行", "insult_rude"),
    ("这毛衣什么料子", "亲,是100%绵羊毛的哦", "absolute_promise"),
    ("能发顺丰吗", "可以的亲,顺丰有个保证时效的服务,需要补15元运费差价", "absolute_promise"),
    ("这碗能放洗碗机吗", "亲,这款不支持放进洗碗机哦,建议手洗", "forbidden_bu_refusal"),
    ("这碗能放洗碗机吗", "亲,这款不支持放进洗碗机哦,建议手洗", "polite_refusal_no_apology"),
    ("护士鞋平时穿37拍多大", "亲,这款护士鞋偏小半码,您平时穿37的话建议拍38,如果脚背比较高或者脚比较宽,"
                            "也可以告诉我您的脚长,我帮您再对比一下鞋子内长哦~", "taboo_monologue"),
])
def test_words_that_only_look_like_a_fault(judged, buyer, reply, never):
    assert never not in rules(judged(buyer, reply))


# ---------------------------------------------------------------- faults found by meaning

@pytest.mark.parametrize("buyer, reply", [
    ("衣服有个破洞", "不可能有破洞的,是不是您自己不小心弄的呀?"),
    ("为什么不能退", "这是规定"),
    ("这个怎么用", "你听懂了吗"),
    ("这个怎么用", "不是告诉过你了吗"),
    ("怎么这么久才回", "我们客服也是要一个一个回复的,请您耐心一点"),
    ("再问一下尺码", "毕竟您问了那么多遍"),
    ("收到了挺好的", "亲,给个好评返现5元哦"),
    ("码数拍错了", "您下单的时候怎么不看清楚呢?"),
    ("快递一直没到", "您找物流师傅问吧,我们这边管不了"),
    ("别家才99", "别家那个是山寨货,穿两天就烂了"),
    ("护士鞋平时穿37拍多大", "亲,按您平时的尺码拍37就可以了哦~"),  # it runs half a size small
])
def test_a_fault_a_team_lead_marks_is_found(judged, buyer, reply):
    res = judged(buyer, reply)
    assert res.hits, (reply, res.intents)
    assert res.score <= 60


def test_the_lawful_answer_is_never_penalised(judged):
    res = judged("你们不返现我就差评", "亲,好评返现是平台不允许的,我们不能这样做哦,抱歉~ 您有任何不满意直接告诉我,我帮您处理")
    assert not {"forbidden_buneng", "aftersales_refuse"} & rules(res)
    _g, b = better(judged, "你们不返现我就差评",
                   "亲,好评返现是平台不允许的,我们不能这样做哦,抱歉~ 您有任何不满意直接告诉我,我帮您处理",
                   "好好好,别差评,我给您返20块,您改成五星就行~")
    assert "cash_for_review" in rules(b)


# ---------------------------------------------------------------- rewrites that fit

def test_a_rewrite_drops_the_meaning_not_only_the_word(scorer):
    for text, banned in (("你自己看", "自己看"), ("你听懂了吗", "听懂了吗")):
        res = scorer.score(text)
        assert res.hits
        for s in [h.suggestion for h in res.hits] + [res.rewrite or ""]:
            assert banned not in s, (text, s)


def test_a_leaked_number_never_survives_the_rewrite(scorer):
    res = scorer.score("亲,您朋友的电话是13812345678,我已经发给另一个顾客了")
    assert "privacy_other_buyer" in rules(res)
    for s in [h.suggestion for h in res.hits] + [res.rewrite or ""]:
        assert "13812345678" not in s


def test_a_rewrite_says_the_address_once_and_keeps_genuineness_a_fact(scorer):
    for text in ("亲,保证正品哦", "我们保证是正品,放心买"):
        res = scorer.score(text, ReplyContext(stage="greeting", first=True))
        assert res.rewrite, text
        assert "亲,亲" not in res.rewrite and "争取" not in res.rewrite and "保证" not in res.rewrite, res.rewrite
        assert "正品" in res.rewrite


def test_dropping_an_exchange_for_compensation_is_an_offer(scorer):
    res = scorer.score("理解您。那不换了,我直接补偿您15元红包")
    assert not res.hits and res.rewrite is None


def test_an_after_sales_reply_gets_an_after_sales_model_answer(judged):
    res = judged("裙子收到了有个洞", "嗯")
    assert res.situation == "damaged_goods"
    assert res.rewrite and "颜色" not in res.rewrite and "抱歉" in res.rewrite


def test_a_long_reply_is_split_at_sentence_ends(scorer):
    text = ("您好欢迎光临,我们专营护士鞋、厨师鞋和休闲鞋,全部头层牛皮,满99包邮,3点半前拍当天发,15天换货7天退货,"
            "团购十双以上另有优惠,老顾客回购再送鞋垫,收藏店铺还能领优惠券,新款每周都会上架,有任何问题都可以随时来问我,欢迎选购")
    res = scorer.score(text)
    hit = next(h for h in res.hits if h.rule == "taboo_monologue")
    parts = hit.suggestion.split(": ", 1)[-1].split(" / ")
    assert 1 < len(parts) <= 3
    assert all(p[-1] in ",，。!！?？~" or p == parts[-1] for p in parts)


# ---------------------------------------------------------------- the command line

def test_check_reply_takes_the_buyer_message(capsys):
    import json

    from game.cli import main

    assert main(["check-reply", "--buyer", "这鞋平时穿38的拍哪个码合适", "--json", "亲,有什么问题您随时说哦~"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert set(d) >= {"score", "violations", "moves", "rewrite", "situation"}
    assert d["situation"] == "size_question"
    assert any(v["rule"] == "missing_moves" for v in d["violations"])
    assert [m["move"] for m in d["moves"] if not m["met"]][0] == "size_advice"
    assert main(["check-reply", "--json", "亲,有什么问题您随时说哦~"]) == 0  # without --buyer: as before
    d = json.loads(capsys.readouterr().out)
    assert d["moves"] == [] and d["situation"] is None and not d["violations"]


def test_check_reply_names_an_unknown_situation(capsys):
    from game.cli import main

    assert main(["check-reply", "--situation", "size_questoin", "亲,拍38哦"]) == 2
    err = capsys.readouterr().err
    assert "size_question" in err


def test_quoting_the_buyer_is_not_the_trainees_fault(judged):
    res = judged("再不处理就给差评!", "亲,您说“再不处理就给差评”,我完全理解您现在很生气,非常抱歉,我现在就帮您处理,给您换新的")
    assert not [h for h in res.hits if h.category in ("insult", "taboo")], [h.rule for h in res.hits]
    assert "insult_rude" in rules(judged("买不买", "爱买不买"))


def test_a_volume_price_is_no_single_big_concession(judged):
    res = judged("买两双能便宜点吗", "亲,谢谢您一次买两双~我帮您申请了一下,两双可以按每双150给您,您看可以吗?")
    assert not {"haggle_big_step", "discount_before_value"} & rules(res)


# ---------------------------------------------------------------- what this session's blind set taught

@pytest.mark.parametrize("buyer, reply, rule", [
    ("那我直接付你钱行不行", "行啊,您支付宝转我就好,省得平台扣点", "off_platform"),
    ("有没有别的联系方式", "您添加一下我个人微信吧,有事那边说方便", "off_platform"),
    ("收到了 还行吧", "亲,追加个好评截图给我,我这边给您发个红包哈", "cash_for_review"),
    ("你们怎么回这么慢", "我们这边人手就这么多,嫌慢的话可以去别的店看看", "insult_sarcasm"),
    ("在吗", "嗯,说", "taboo_cold"),
])
def test_faults_found_in_other_wording(judged, buyer, reply, rule):
    assert rule in rules(judged(buyer, reply))


def test_refusing_to_tell_another_buyers_address_is_right(judged):
    res = judged("我朋友也在你家买了 她填的地址是哪里",
                 "抱歉亲,每位顾客的收货信息都是个人隐私,我这边不方便透露,您可以直接问问您朋友哦")
    assert not {"privacy_other_buyer", "forbidden_buneng", "polite_refusal_no_apology"} & rules(res)


def test_a_polite_no_the_rules_require_answers_the_question(judged):
    buyer = "定制花箱做好了 我又不想要了 能退吗"
    g, b = better(judged, buyer,
                  "亲,真不好意思,定制的花箱是按您的尺寸专门做的,非质量问题没办法退,还请您理解。"
                  "要是收到后发现做工有问题,我马上给您处理",
                  "没问题亲,七天无理由,直接退回来就行")
    assert "missing_moves" not in rules(g) and g.score >= 75
    assert "fact_weak_point_denied" in rules(b)


# ---------------------------------------------------------------- another product named, gifts said in passing

def test_sizes_and_colours_of_a_second_product_are_its_own(judged):
    buyer = "护士鞋42码有吗"
    g, b = better(judged, buyer,
                  "亲,非常抱歉,护士鞋最大只到41码哦;您穿42的话可以看看我们的防滑工作鞋,38到44码都有,颜色只有黑色",
                  "有的,42码现货,拍吧~")
    assert not {"fact_size", "fact_color"} & rules(g)
    assert "fact_size" in rules(b)


@pytest.mark.parametrize("buyer, reply, rule", [
    ("连衣裙送东西吗", "赠品给您备注上了,一个丝巾扣外加一副耳夹", "fact_gift_unlisted_noted"),
    ("风衣还有吗 我下个月再买", "有的亲,这款货多着呢,过阵子来也一直都有", "fact_stock_plenty"),
    ("护士鞋发什么快递", "亲,默认给您走顺丰的", "fact_courier_free"),
    ("开票要不要加钱", "开发票的话需要另外加钱哦,要加8个点", "fact_invoice_charge"),
    ("鞋子开胶了", "直接申请退款就行,照片就不用拍了", "evidence_waived"),
    ("买花箱送几套工具", "您拆成两单分开拍,就能多领一套工具", "dodge_rules"),
    ("开衫会褪色吗", "放心,永远不褪色的", "absolute_promise"),
])
def test_faults_of_the_eighth_blind_set_in_other_wording(judged, buyer, reply, rule):
    assert rule in rules(judged(buyer, reply))


# ---------------------------------------------------------------- what the buyer said decides the fault

def test_today_is_wrong_only_after_the_cutoff_the_buyer_names(judged):
    late = judged("连衣裙我傍晚6点拍的,今天能寄出吗", "收到啦,今天就给您寄出~")
    early = judged("连衣裙我中午1点拍的,今天能寄出吗", "收到啦,今天就给您寄出~")
    assert "fact_cutoff_missed" in rules(late)
    assert "fact_cutoff_missed" not in rules(early)


def test_both_ways_freight_is_for_quality_problems(judged):
    size = judged("牛仔裤腰大了,想换小一码", "可以换的,来回运费都是我们出,您寄回来就行")
    broken = judged("牛仔裤拉链坏了,想换一条", "可以换的,来回运费都是我们出,您寄回来就行")
    assert "exchange_freight_promised" in rules(size)
    assert "exchange_freight_promised" not in rules(broken)


def test_a_custom_box_remade_for_free_only_when_it_is_our_fault(judged):
    whim = judged("定制的花箱尺寸我自己量错了,能重做吗", "没关系,寄回来免费给您重新做一个")
    crack = judged("定制的花箱收到就裂了,能重做吗", "没关系,寄回来免费给您重新做一个")
    assert "fact_custom_remade" in rules(whim)
    assert "fact_custom_remade" not in rules(crack)


def test_no_gift_is_wrong_where_every_order_has_one(judged):
    res = judged("买花箱有赠品吗", "亲,我们是工厂价,就不带赠品了哈")
    assert "fact_gift_none" in rules(res)


def test_a_no_with_an_apology_reads_as_a_polite_one(scorer):
    reading = scorer.reader.read("非常抱歉,定做的花箱不是质量问题没办法退,还请您理解")
    assert "decline_politely" in reading.names and "refuse" not in reading.names
    assert "refuse" in scorer.reader.read("没办法退").names


def test_a_return_past_its_days_is_no_free_yes(judged):
    late = judged("开衫买了十天了,不太想要了能退吗", "可以的亲,您申请退货就行")
    early = judged("开衫买了三天,不太想要了能退吗", "可以的亲,您申请退货就行")
    broken = judged("开衫穿了十天破了个洞,能退吗", "可以的亲,您申请退货就行")
    assert "fact_return_late" in rules(late)
    assert "fact_return_late" not in rules(early) | rules(broken)


def test_more_than_three_boxes_get_a_second_set(judged):
    res = judged("我要订5个花箱,送几套工具", "亲,每单只送一套哈")
    assert "fact_gift_extra_missed" in rules(res)
    assert "fact_gift_extra_missed" not in rules(judged("我要订2个花箱,送几套工具", "亲,每单只送一套哈"))
