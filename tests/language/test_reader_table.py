"""Trainee lines as people really type them, with the intents and facts they must yield."""


import pytest

from game.language.facts import Facts, extract_facts
from game.language.normalize import compact, normalize
from game.language.reader import Reader

# The ``reader`` fixture (tests/conftest.py) is the game's: every intent's examples and replies.


def case(text, has=(), lacks=(), nothing=False, **facts):
    return pytest.param(text, set(has), set(lacks), nothing, facts, id=text[:24] or "<empty>")


CASES = [
    # --- a negated condition does not reach past 就/才
    case("吊牌完好、没洗过就可以换", has={"offer_exchange"}),
    case("没有洗过就可以退", has={"offer_refund"}),
    case("不满99就不包邮哦", lacks={"offer_free_shipping"}, free_shipping=False),
    # a count put as a condition is what it takes, not the order, and gives no free shipping yet
    case("阳台放得下的话,三件一起拍就能包邮", quantity=None, free_shipping=False),
    case("那就拍三件,给您包邮", quantity=3, free_shipping=True),
    # --- greeting, traditional and full-width input
    case("亲,您好!很高兴为您服务~", has={"greet"}),
    case("親，您好！這款有現貨哦", has={"greet", "answer_stock"}),
    case("您好 欢迎光临 请问有什么可以帮您的", has={"greet", "ask_need"}),
    case("在的亲 /:^_^", has={"greet"}, prices=(), quantity=None),
    case("ｈｅｌｌｏ 亲", has={"greet"}),
    case("您好，我是３号客服小美，很高兴为您服务", has={"greet"}, sizes=(), quantity=None),
    case("在", lacks={"greet"}),
    # --- prices: digits, Chinese numerals, symbols
    case("亲 这款128元哦", lacks={"offer_discount"}, prices=(128.0,)),
    case("这款一百二十八元", prices=(128.0,)),
    case("给您算一百二吧", has={"offer_discount"}, prices=(120.0,)),
    case("¥168 是原价哦", lacks={"offer_discount"}, prices=(168.0,)),
    case("１２８元包邮哦亲", has={"offer_free_shipping"}, prices=(128.0,), free_shipping=True),
    case("亲,两百可以吗?", has={"offer_discount"}, prices=(200.0,)),
    case("给您算128块5吧", has={"offer_discount"}, prices=(128.5,)),
    case("这款128.5元,两双二百五十块包邮", prices=(128.5, 250.0), quantity=2, free_shipping=True),
    case("要不您看100元可以吗?", has={"offer_discount"}, prices=(100.0,)),
    # --- discounts
    case("亲,给您打个九折吧", has={"offer_discount"}, discount=0.9),
    case("最多只能打个8.5折了", has={"offer_discount"}, discount=0.85),
    case("八五折给您,真的是最低了", has={"offer_discount"}, discount=0.85),
    case("95折是最低的折扣了哦", has={"offer_discount", "refuse_discount"}, discount=0.95),
    case("不好意思,我们不打折的哦", has={"apologize", "refuse_discount"},
         lacks={"offer_discount"}, discount=None),
    case("看能不能给您打9折,我请示一下", has={"escalate"}, lacks={"offer_discount"}, discount=None),
    case("买3件可以打8折", quantity=3, discount=0.8),
    case("10双以上算大客户,给您95折", quantity=10, discount=0.95),
    # --- reductions and their negations
    case("这样吧,再便宜您10元", has={"offer_discount"}, reduction=10.0, prices=()),
    case("给您少20块,不能再少了", has={"offer_discount"}, reduction=20.0),
    case("下单立减5元", has={"offer_discount"}, reduction=5.0),
    # the manager's yes reported back is the offer, no request still pending
    case("店长同意再优惠十块", has={"offer_discount"}, lacks={"escalate"}, reduction=10.0),
    case("我去找店长问问能不能再少点", has={"escalate"}),
    case("棉袜也帮您安排上啦,跟鞋一个包裹走", has={"offer_gift"}, gift="棉袜"),
    case("袜子这回没法放进去了", lacks={"offer_gift"}, gift=None),
    case("送女朋友的话选粉色", lacks={"offer_gift"}, gift=None),
    case("亲,无法再便宜了,这已经是最低价了", has={"refuse_discount"},
         lacks={"offer_discount", "refuse"}, reduction=None),
    case("不能再便宜10块了亲", has={"refuse_discount"}, lacks={"offer_discount"}, reduction=None),
    # 200 is the threshold of the reduction, not a price put to the buyer
    case("亲,满200减20哦", has={"offer_discount"}, prices=(), threshold=200.0, reduction=20.0),
    # --- free shipping and its negations
    case("亲,这款是包邮的哦", has={"offer_free_shipping"}, free_shipping=True),
    case("两双给您免运费", has={"offer_free_shipping"}, free_shipping=True, quantity=2),
    case("运费我们出,您放心", has={"offer_free_shipping", "cover_shipping"}, free_shipping=True),
    case("不好意思,这款不包邮哦", has={"apologize"}, lacks={"offer_free_shipping"}, free_shipping=False),
    case("偏远地区没法包邮的亲", lacks={"offer_free_shipping"}, free_shipping=False),
    case("包邮不了哦,运费要自理", lacks={"offer_free_shipping"}, free_shipping=False),
    case("不 包 邮", lacks={"offer_free_shipping"}, free_shipping=False),
    case("能不能包邮我帮您问下店长", has={"escalate"}, lacks={"offer_free_shipping"}, free_shipping=False),
    case("别担心,我们包邮的", has={"empathize", "offer_free_shipping"}, free_shipping=True),
    case("没问题,给您包邮", has={"offer_free_shipping"}, free_shipping=True),
    case("不仅包邮,还送您一双袜子", has={"offer_free_shipping", "offer_gift"},
         free_shipping=True, gift="袜子", quantity=None),
    # --- gifts
    case("亲,买两双送您一双袜子哦", has={"offer_gift"}, gift="袜子", quantity=2),
    case("我们会赠送鞋垫的", has={"offer_gift"}, gift="鞋垫"),
    case("给您加个小礼品,您看可以吗", has={"offer_gift"}, gift="礼品"),
    case("非常抱歉,这款没有赠品哦", has={"apologize"}, lacks={"offer_gift"}, gift=None),
    case("我们会尽快给您送到的", lacks={"offer_gift"}, gift=None),
    case("您是自己穿还是送人呀", has={"ask_need"}, lacks={"offer_gift"}, gift=None),
    case("不好意思，不 包邮哦，但是可以送您运费险", has={"offer_gift", "cover_shipping"},
         lacks={"offer_free_shipping"}, free_shipping=False, gift="运费险"),
    case("这款不能再便宜了,要不我送您一双袜子?", has={"refuse_discount", "offer_gift"},
         gift="袜子", discount=None),
    # --- quantities and sizes
    case("一件也是包邮的", free_shipping=True, quantity=1),
    case("亲,建议您拍37码", has={"answer_size"}, sizes=("37",)),
    case("您平时穿38码的话,这款拍38码就可以", has={"answer_size"}, sizes=("38",), prices=()),
    case("这件M码和L号都有货", has={"answer_stock"}, sizes=("M", "L")),
    case("ＸＬ的话比较合适", sizes=("XL",)),
    case("XL码偏大,建议拍L码", has={"answer_size"}, sizes=("XL", "L")),
    case("这款是均码的哦", has={"answer_size"}, sizes=("均码",)),
    case("您脚背高的话建议拍大一码", has={"answer_size"}, sizes=(), quantity=None),
    # --- order numbers
    case("您的订单号是1234567890123吗", has={"ask_order_number"},
         order_numbers=("1234567890123",), prices=()),
    case("订单号 2023112312345678 的包裹今天发出了", has={"answer_shipping"},
         order_numbers=("2023112312345678",), prices=(), quantity=None),
    # "I'll look it up" beside the order-number ask: the labelled sets mostly count the ask alone
    case("麻烦提供一下订单号,我帮您查询", has={"ask_order_number"}),
    # --- several intents in one message
    # checking the parcel is a wait, not yet an answer about shipping
    case("非常抱歉让您久等了,我马上帮您查一下物流", has={"apologize"}),
    case("您稍等,我马上帮您查一下物流", has={"wait_moment"}),
    case("亲,理解您的心情,您别着急,麻烦拍张照片给我们看看", has={"empathize", "ask_evidence"},
         lacks={"refuse"}),
    case("真的很抱歉给您添麻烦了,我们给您换一双新的,来回运费都由我们承担",
         has={"apologize", "empathize", "offer_exchange", "cover_shipping"}),
    case("您申请退款就可以,我们收到货后马上给您退", has={"offer_refund"}, lacks={"answer_shipping"}),
    case("给您发个5元红包作为补偿好吗", has={"offer_compensation"}, lacks={"offer_discount"}),
    case("我请示下店长,看能不能给您优惠,您稍等", has={"escalate", "wait_moment"},
         lacks={"refuse", "offer_discount"}),
    case("亲,现在拍下今天就能发货哦", has={"urge_order", "answer_shipping"}),
    case("库存不多了,早拍早发哦", has={"urge_order", "answer_stock"}),
    case("哈哈是呀,那关于商品还有什么需要了解的吗?", has={"chitchat", "steer_back"}),
    case("谢谢亲的支持,欢迎下次光临", has={"thank", "farewell"}),
    case("本店所有商品均为正品,假一赔十", has={"assure_quality"}, prices=()),
    case("亲,请核对一下收货地址:杭州市西湖区文三路88号", has={"confirm_order"},
         lacks={"farewell"}, sizes=(), prices=()),
    case("好的亲 88~", has={"farewell"}),
    # 七天无理由退换 is the return policy: the learned reader (like its annotators) reads a refund
    # and an exchange; 放心购买 after it is the policy's comfort, no word on quality
    case("支持7天无理由退换货,您放心购买", has={"offer_refund"}, lacks={"refuse", "decline_politely"},
         prices=(), quantity=None),
    case("3点半前下单当天发,一般2天到", has={"answer_shipping"}, prices=(), quantity=None),
    # --- descriptive 不 is not a refusal
    case("这款鞋久站不累脚,而且不掉色", has={"introduce_product"}, lacks={"refuse"}),
    case("这双鞋子 不 掉 色,放心穿", lacks={"refuse"}),
    case("质量问题的话,不影响二次销售都可以调换", has={"offer_exchange"}, lacks={"refuse"}),
    case("如果不合适的话可以给您换码", has={"offer_exchange"}, lacks={"refuse"}),
    case("这款不能机洗哦,建议手洗", has={"introduce_product"}, lacks={"refuse"}),
    case("非常抱歉,无法帮到您", has={"apologize"}, lacks={"refuse"}),
    case("不好意思,让您久等了", has={"apologize"}, lacks={"refuse"}),
    # --- refusals, spacing tricks, rudeness, blame
    case("不 行", has={"refuse"}),
    case("不-行", has={"refuse"}),
    case("不。行", has={"refuse"}),
    case("不行,不能便宜", has={"refuse", "refuse_discount"}),
    case("我不知道,你自己看详情页", has={"refuse", "rude"}),
    # said with an apology, a no is a polite one (intents.yaml: refuse softened_by apologize)
    case("不好意思这个真没办法,已经是底价了", has={"apologize", "decline_politely", "refuse_discount"}, lacks={"refuse"}),
    case("爱买不买", has={"rude"}),
    case("你烦不烦啊", has={"rude"}, lacks={"greet", "refuse"}),
    case("那是快递的问题,跟我们无关", has={"blame_shift"}, lacks={"apologize"}),
    # --- typos, emoticons, traditional characters
    case("报歉亲,稍侯一下哦", has={"apologize", "wait_moment"}),
    case("您稍等,我帮您查询下 /:087", has={"wait_moment"}, prices=(), quantity=None),
    case("非常抱歉，讓您久等了，我們馬上為您補發", has={"apologize", "offer_exchange"}),
    case("這款鞋子是頭層牛皮，透氣耐磨，久站不累腳", has={"introduce_product"}, lacks={"refuse"}),
    # --- numbers that are no order: stock left, colours counted, a tax, the parts of a sum
    case("这款就剩5双了", quantity=None),
    case("库存还有3件", quantity=None),
    case("两个颜色都挺耐看的", quantity=None),
    case("长宽高三个数字用厘米发我就行", quantity=None),
    case("2.4元税点我帮您加进订单", offers=(), tax=2.4),
    case("订单改成140元(单价125+顺丰15)", offers=(), result=140.0),
    # --- nothing to read
    case("好的亲 ~", nothing=True),
    case("", nothing=True, prices=(), gift=None),
    case("😊😊", nothing=True),
    case("？？？ 。。。 ~~~", nothing=True),
]


@pytest.mark.parametrize("text, has, lacks, nothing, facts", CASES)
def test_reader_table(reader, text, has, lacks, nothing, facts):
    reading = reader.read(text)
    names = set(reading.names)
    assert has <= names, f"missing {has - names}; got {reading.names}"
    assert not (lacks & names), f"unexpected {lacks & names}; got {reading.names}"
    if nothing:
        assert reading.names == (), f"expected nothing, got {reading.names}"
    for field, want in facts.items():
        assert getattr(reading.facts, field) == want, (field, reading.facts)


def test_table_is_big_enough():
    assert len(CASES) >= 70


def test_intents_come_in_order_of_appearance(reader):
    r = reader.read("谢谢亲,不好意思让您久等了,这款是包邮的")
    assert r.names[:3] == ("thank", "apologize", "offer_free_shipping")
    starts = [h.start for h in r.intents]
    assert starts == sorted(starts)


def test_spans_point_into_original_text(reader):
    text = "親，您好！不 行哦，ＸＬ碼沒貨了"
    r = reader.read(text)
    by_name = {h.name: h for h in r.intents}
    assert by_name["greet"].matched == "您好"
    assert by_name["refuse"].matched == "不 行"
    assert text[by_name["refuse"].start:by_name["refuse"].end] == "不 行"
    assert by_name["answer_stock"].matched == "沒貨"
    assert r.facts.sizes == ("XL",)


def test_reading_helpers(reader):
    r = reader.read("您好,这款包邮哦")
    assert r.has("greet") and r.has("offer_free_shipping") and not r.has("refuse")
    assert r.names == tuple(h.name for h in r.intents)
    assert r.text == "您好,这款包邮哦"
    assert r.normalized == "您好,这款包邮哦"


def test_facts_only_intents_hold_without_phrases():
    # An empty vocabulary still reports offers found by fact extraction.
    r = Reader([]).read("给您打个九折,再送您一双袜子,包邮")
    assert set(r.names) == {"offer_discount", "offer_gift", "offer_free_shipping"}


def test_normalize():
    assert normalize("ＡＢＣ１２３，。！？：；、") == "abc123,.!?:;,"
    assert normalize("親愛的　顧客  您好\n\n\n再見") == "亲爱的 顾客 您好\n再见"
    assert normalize("「好的」——稍等…") == '"好的"--稍等...'
    assert normalize("/:^_^ /:087 /:Q 好") == "/:^_^ /:087 /:Q 好"
    assert normalize("  ") == ""


def test_compact_maps_back_to_original():
    text = "不 -行。好/:087 的"
    comp, where = compact(text)
    assert comp == "不行好的"
    assert [text[i] for i in where] == list(comp)


def test_extract_facts_standalone():
    assert extract_facts("") == Facts()
    f = extract_facts("一百二十八元,打八五折,送鞋垫,两双,37码,单号12345678901")
    assert f.prices == (128.0,)
    assert f.discount == 0.85
    assert f.gift == "鞋垫"
    assert f.quantity == 2
    assert f.sizes == ("37",)
    assert f.order_numbers == ("12345678901",)


@pytest.mark.parametrize("text, current, want", [
    ("领导同意了,108一双", 120, 108.0),  # granted with no offer word
    ("好吧,最低就118了", 128, 118.0),
    ("那这样,138拿走", 158, 138.0),
    ("我们成本都要95元", 120, None),  # a price told, not given
    ("主推款只要79元", 120, None),
    ("好的亲,运费是12元", 120, None),  # a small sum said in passing
    ("2.4元税点我帮您加进订单", 168, None),  # a tax added, not a price
    ("好的,订单改成140元(单价125+顺丰15)", 125, None),  # a fee added
    ("共20双,每双96,合计1920元", 96, None),  # the agreed unit price read back with its total
])
def test_the_price_offered(reader, text, current, want):
    from game.language.facts import offered_price
    assert offered_price(reader.read(text), current, current) == want


def test_a_stock_count_is_told_apart_from_the_order(reader):
    assert reader.read("这款就剩5双了").facts.stock_count == 5
    assert reader.read("拍两双吧").facts.stock_count is None
