"""Facts a buyer reacts to: prices, discounts, reductions, free shipping, gifts,
quantities, sizes and order numbers.

Numbers are found once (Arabic or Chinese numerals) and classified by what
follows them (元, 折, 码, 双...) and what precedes them in the same clause.
Offers are negation-aware ("不包邮", "无法再便宜了"); plain price mentions are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from game.language.normalize import PhraseMatcher, Prepared, prepare


@dataclass(frozen=True, slots=True)
class Facts:
    prices: tuple[float, ...] = ()
    discount: float | None = None  # 0.9 for 九折
    reduction: float | None = None  # yuan off: 便宜10元 -> 10.0
    free_shipping: bool = False
    gift: str | None = None  # the gifted thing, or "礼品"
    quantity: int | None = None
    sizes: tuple[str, ...] = ()  # "37", "37.5", "XL", "均码"
    order_numbers: tuple[str, ...] = ()


EMPTY_FACTS = Facts()

# ---------------------------------------------------------------- numbers

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}

_NUM_RE = re.compile(
    r"\d+(?:\.\d+)?"
    r"|[零〇一二两三四五六七八九十百千万]+(?:点[零〇一二两三四五六七八九]+)?"
)


def parse_chinese_number(s: str) -> float | None:
    """"一百二十八" -> 128, "一百二" -> 120, "八五" -> 85, "七点五" -> 7.5; None if malformed."""
    if "点" in s:
        whole, _, frac = s.partition("点")
        w = parse_chinese_number(whole)
        if w is None or not frac or any(c not in _CN_DIGITS for c in frac):
            return None
        return float(f"{int(w)}." + "".join(str(_CN_DIGITS[c]) for c in frac))
    if not s:
        return None
    if all(c in _CN_DIGITS for c in s):  # digit string: "八五", "一二八"
        return float("".join(str(_CN_DIGITS[c]) for c in s))
    total = 0
    section = 0
    num: int | None = None
    last_unit = 0
    prev = ""
    for c in s:
        if c in _CN_DIGITS:
            if num is not None and num != 0 and prev != "零":
                return None  # "一二百"
            num = _CN_DIGITS[c]
        elif c in _CN_UNITS:
            u = _CN_UNITS[c]
            if num is None:
                if c == "十" and section == 0 and total == 0 and prev == "":
                    num = 1  # "十五"
                else:
                    return None  # "百分", "千万" without a leading digit
            if last_unit and u >= last_unit and section:
                return None  # "十百"
            section += num * u
            num = None
            last_unit = u
        else:  # 万
            if num is not None:
                section += num
                num = None
            if section == 0:
                return None
            total += section * 10000
            section = 0
            last_unit = 10000
        prev = c
    if num is not None:
        if last_unit >= 100 and prev in _CN_DIGITS and prev != "零" and len(s) >= 3 and s[-2] in "百千万":
            section += num * (last_unit // 10)  # colloquial "一百二" = 120
        else:
            section += num
    value = total + section
    return float(value) if value > 0 else None


def _has_big_unit(s: str) -> bool:
    return any(c in s for c in "百千万")


_CURRENCY = ("块钱", "元钱", "人民币", "rmb", "元", "块", "圆")
_CLASSIFIERS = ("双", "件", "条", "套", "盒", "瓶", "份", "对", "箱", "副", "只", "个", "包")
_NOT_CLASSIFIER = ("包邮", "包装", "包退", "包换", "只要", "只有", "只能", "只是",
                   "个月", "个小时", "个工作日", "个星期", "个礼拜", "个人", "个码", "对比")
# What a bare number may not be followed by to count as a price.
_NON_PRICE_AFTER = (
    "天", "日", "月", "年", "点", "时", "小时", "分", "秒", "周", "星期", "岁", "次", "遍",
    "倍", "人", "位", "家", "楼", "层", "单", "张", "克", "斤", "公斤", "千克", "kg", "g",
    "cm", "mm", "厘米", "毫米", "米", "%", "度", "款", "种", "色", "颗", "星", "级", "码",
    "号", "折", "x", "l", "m", "s", "-", "/", "~", "到", "至", "号码",
)
_PRICE_AFTER = ("包邮", "一双", "一件", "每双", "每件", "/双", "/件", "的价格", "这个价")

_RED_BEFORE = re.compile(
    r"(?:便宜|少算|少收|(?<![至多不最])少|减免|立减|减|优惠|让利|让|降价|降|省|抹掉|抹)"
    r"(?:了|个|点|您|你|给您|给你|亲|再|下|一下|掉)*$"
)
_PRICE_BEFORE = re.compile(
    r"(?:价格|价钱|价|只要|仅需|仅要|仅|才|一共|总共|共|合计|总计|收您|收你|算您|算你|算"
    r"|改成|改为|改到|卖|满|付|¥|rmb|就按|要价|到手)"
    r"(?:是|为|:|就|只要|只|也就|才|了|给您|给你)?$"
)
_OFFER_BEFORE = re.compile(
    r"(?:给您|给你|算您|算你|收您|收你|改成|改为|改到|就按|那就|要不|只收|一口价)"
    r"(?:算|就|按|个|您|你|是|为|只要|只收|收)*$"
)
_OFFER_AFTER = re.compile(r"^(?:给您|给你|卖给您|卖给你|可以吗|怎么样|行吗|如何|行不行|可不可以|好吗|吧)")
_PHONE_BEFORE = re.compile(r"(?:电话|手机|手机号|联系方式|tel|qq|微信)(?:号码?)?(?:是|:)?$")
_SIZE_NUM_BEFORE = re.compile(r"(?:穿|拍|选|要|换|码数?是?|尺码是?|尺寸是?)(?:个|的|双)?$")
_SIZE_NUM_AFTER = ("的话", "比较合适", "合适", "就可以", "就行", "刚好", "正好", "偏大", "偏小", "的鞋", "还是")
_SIZE_NUM_JOIN = ("还是", "或者", "或", "和", "/", "、")
_BUY_X_GET_Y = re.compile(r"买[一二两三四五\d]送[一二两三\d]")
_GIFT_VERB_BEFORE = re.compile(r"(?:送|赠|加)(?:您|你|给您|给你|亲)?$")
_HALF = re.compile(r"半价|对折")

_BREAKS = ",.!?;:\n"


def _clause_before(text: str, start: int, width: int = 8) -> tuple[str, int]:
    """Up to ``width`` chars before ``start`` in the same clause (spaces dropped at the end)."""
    lo = max(0, start - width)
    seg = text[lo:start]
    cut = max(seg.rfind(b) for b in _BREAKS)
    if cut >= 0:
        lo += cut + 1
        seg = seg[cut + 1:]
    return seg.rstrip(), lo


def _after(text: str, end: int, width: int = 8) -> str:
    return text[end:end + width].lstrip()


def _discount_value(raw: str, value: float) -> float | None:
    """"9折" -> 0.9, "8.5折" -> 0.85, "95折" / "九五折" -> 0.95."""
    if raw[0].isdigit():
        if "." in raw or len(raw) == 1:
            d = value / 10
        elif len(raw) == 2:
            d = value / 100
        else:
            return None
    elif "点" in raw or value < 10:
        d = value / 10
    elif value < 100:
        d = value / 100
    else:
        return None
    return round(d, 4) if 0 < d < 1 else None


# ---------------------------------------------------------------- phrases

_FREE_SHIPPING = (
    "包邮", "免邮", "免运费", "免邮费", "免费包邮", "包运费", "运费全免", "邮费全免",
    "运费我们出", "邮费我们出", "运费我们来出", "邮费我们来出", "运费由我们出", "邮费由我们出",
    "不收运费", "不收邮费", "不用付运费", "不用付邮费", "不用出运费", "不要运费", "不用运费",
    "无需运费", "运费不用您出", "邮费不用您出",
)
_GIFT_WORDS = ("赠品", "礼品", "礼物", "小礼品", "小礼物", "赠送", "送您", "送你", "赠您", "加送", "附赠")
_FREE_MATCHER: PhraseMatcher | None = None
_GIFT_MATCHER: PhraseMatcher | None = None


def _matchers() -> tuple[PhraseMatcher, PhraseMatcher]:
    global _FREE_MATCHER, _GIFT_MATCHER
    if _FREE_MATCHER is None or _GIFT_MATCHER is None:
        _FREE_MATCHER = PhraseMatcher((p, 0) for p in _FREE_SHIPPING)
        _GIFT_MATCHER = PhraseMatcher((p, 0) for p in _GIFT_WORDS)
    return _FREE_MATCHER, _GIFT_MATCHER


_GIFT_RE = re.compile(
    r"(?:赠送|附赠|加送|再送|额外送|免费送|(?<![配运派递护接发欢目输传寄赠])送|赠)"
    r"(?:给您|给你|您|你|亲)?\s*"
    r"(?:(?:[一两二三四五六七八九十\d]+|几)\s*(?:双|个|份|件|对|张|条|只|瓶|盒|包|套|副|款)"
    r"|[个份张双对条只副])?\s*"
    r"(?P<thing>[\u4e00-\u9fff]{1,8})"
)
_GIFT_STOP = frozenset("哦噢喔呢吧啊呀哈哟嘛啦的了给和及还再也都就呗作当让吗么一二两三四五六七八九十")
_GIFT_BAD_START = frozenset("到达货出去回上过至往走来给您你的了完光品不没别人朋")
_GENERIC_GIFT = ("礼品", "礼物", "赠品")


def _gift_thing(raw: str) -> str | None:
    if raw[0] in _GIFT_BAD_START:
        return None
    out = []
    for c in raw:
        if c in _GIFT_STOP:
            break
        out.append(c)
    thing = "".join(out[:6])
    if not thing:
        return None
    if thing.endswith(_GENERIC_GIFT):
        return "礼品"
    return thing


_SIZE_LETTER = re.compile(r"(?<![a-z])([2-6]?x{0,3}l|x{1,2}s|s|m)(?![a-z])\s*(码|号)?")
_SIZE_CUE = re.compile(r"(?:穿|选|拍|换|要|是|建议|推荐|码数)\s*$")


# ---------------------------------------------------------------- extraction


def extract_facts(text: str) -> Facts:
    """Facts in one message (convenience wrapper; the reader calls ``scan_facts``)."""
    return scan_facts(prepare(text))[0]


def scan_facts(prep: Prepared) -> tuple[Facts, dict[str, tuple[int, int]]]:
    """Facts plus, per offer kind, the normalized span of its first offer.

    Offer kinds: "offer_discount" (an offered price, discount or reduction),
    "offer_free_shipping", "offer_gift".
    """
    text = prep.analysed
    offers: dict[str, tuple[int, int]] = {}
    prices: list[float] = []
    discount: float | None = None
    reduction: float | None = None
    quantity: int | None = None
    sizes: list[tuple[int, str]] = []  # (position, label)
    orders: list[str] = []

    def negated(a: int, b: int) -> bool:
        return prep.negated(prep.to_compact(a), prep.to_compact(b))

    def offer(kind: str, a: int, b: int) -> None:
        if kind not in offers:
            offers[kind] = (a, b)

    has_digit = any(c.isdigit() for c in text)
    if has_digit or any(c in text for c in "零〇一二两三四五六七八九十百千万"):
        skip_to = 0  # end of a "块5" tail already read as tenths
        for m in _NUM_RE.finditer(text):
            raw = m.group()
            start, end = m.span()
            if start < skip_to:
                continue
            is_digits = raw[0].isdigit()
            if is_digits:
                if len(raw) >= 10 and raw.isdigit():
                    if not _PHONE_BEFORE.search(_clause_before(text, start)[0]):
                        orders.append(raw)
                    continue
                try:
                    value = float(raw)
                except ValueError:
                    continue
            else:
                parsed = parse_chinese_number(raw)
                if parsed is None:
                    continue
                value = parsed
            if value <= 0 or value >= 1e7:
                continue
            after = _after(text, end)
            before, before_lo = _clause_before(text, start)

            if after.startswith("折") and not after.startswith("折叠"):
                d = _discount_value(raw, value)
                if d is not None:
                    tail = end + text[end:].index("折") + 1
                    verb = before_lo + before.rfind("打") if before.endswith(("打", "打个")) else start
                    if not negated(verb, tail):
                        if discount is None:
                            discount = d
                        offer("offer_discount", verb, tail)
                continue
            if after.startswith("码") and 15 <= value <= 60 and (value * 2).is_integer():
                sizes.append((start, _num_str(value)))
                continue
            if after.startswith("号") and 33 <= value <= 48 and (value * 2).is_integer():
                sizes.append((start, _num_str(value)))
                continue
            if after.startswith(_CLASSIFIERS) and not after.startswith(_NOT_CLASSIFIER):
                if (
                    value.is_integer()
                    and not before.endswith("第")
                    and not (after[0] == "个" and value < 2)
                    and not _GIFT_VERB_BEFORE.search(before)
                ):
                    if quantity is None and value < 100000:
                        quantity = int(value)
                continue

            currency = after.startswith(_CURRENCY) or before.endswith(("¥", "rmb"))
            unit_end = end
            if after.startswith("多") and after[1:].startswith(_CURRENCY):
                currency = True
            if currency:
                unit_end = _skip_unit(text, end)
                with_tenths = _add_tenths(text, end, unit_end, value)
                if with_tenths != value:
                    value = with_tenths
                    unit_end += 1
                    skip_to = unit_end
            elif after.startswith(_NON_PRICE_AFTER) and not after.startswith(_PRICE_AFTER):
                continue

            red = _RED_BEFORE.search(before)
            if red and (currency or is_digits):
                vpos = before_lo + red.start()
                if not negated(vpos, unit_end) and not prep.negated_after(prep.to_compact(before_lo + red.end())):
                    if reduction is None:
                        reduction = value
                    offer("offer_discount", vpos, unit_end)
                continue

            price_cue = after.startswith(_PRICE_AFTER) or _PRICE_BEFORE.search(before) is not None
            if (
                not currency and not price_cue and is_digits
                and 33 <= value <= 46 and (value * 2).is_integer()
                and (
                    _SIZE_NUM_BEFORE.search(before)
                    or after.startswith(_SIZE_NUM_AFTER)
                    or (sizes and before.endswith(_SIZE_NUM_JOIN))
                )
            ):
                sizes.append((start, _num_str(value)))  # "您穿37的话拍38比较合适"
                continue
            big_enough = is_digits or value >= 10
            is_price = currency or (
                big_enough
                and (
                    price_cue
                    or (is_digits and _OFFER_AFTER.match(after) is not None)
                    or (not is_digits and _has_big_unit(raw) and value >= 100)
                )
            )
            if not is_price:
                continue
            if value not in prices:
                prices.append(value)
            cue = _OFFER_BEFORE.search(before)
            if cue or _OFFER_AFTER.match(_after(text, unit_end)):
                a = before_lo + cue.start() if cue else start
                if not negated(a, unit_end):
                    offer("offer_discount", a, unit_end)

    if discount is None and ("半" in text or "对折" in text):
        for m in _HALF.finditer(text):
            if not negated(m.start(), m.end()):
                discount = 0.5
                offer("offer_discount", m.start(), m.end())
                break

    free_m, gift_m = _matchers()
    free_shipping = False
    if "邮" in text or "运费" in text or "寄" in text:
        for h in free_m.scan(prep):
            free_shipping = True
            a = prep.compact_to_norm[h.start]
            offer("offer_free_shipping", a, prep.compact_to_norm[h.end - 1] + 1)
            break

    gift: str | None = None
    if "送" in text or "赠" in text or "礼" in text:
        for m in _GIFT_RE.finditer(text):
            thing = _gift_thing(m.group("thing"))
            if thing is None:
                continue
            verb_end = m.start() + 1
            if negated(m.start(), verb_end):
                continue
            gift = thing
            offer("offer_gift", m.start(), m.start("thing") + len(thing))
            break
        if gift is None:
            m = _BUY_X_GET_Y.search(text)
            if m and not negated(m.start(), m.end()):
                gift = "同款"
                offer("offer_gift", m.start(), m.end())
        if gift is None:
            for h in gift_m.scan(prep):
                gift = "礼品"
                a = prep.compact_to_norm[h.start]
                offer("offer_gift", a, prep.compact_to_norm[h.end - 1] + 1)
                break

    pos = text.find("均码")
    if pos >= 0:
        sizes.append((pos, "均码"))
    if any(c in text for c in "lmsx"):
        for m in _SIZE_LETTER.finditer(text):
            label = m.group(1)
            if len(label) == 1 and not m.group(2):
                if not _SIZE_CUE.search(text[max(0, m.start() - 4):m.start()]):
                    continue
            sizes.append((m.start(), label.upper()))

    facts = Facts(
        prices=tuple(prices),
        discount=discount,
        reduction=reduction,
        free_shipping=free_shipping,
        gift=gift,
        quantity=quantity,
        sizes=tuple(dict.fromkeys(label for _pos, label in sorted(sizes))),
        order_numbers=tuple(dict.fromkeys(orders)),
    )
    return facts, offers


def _num_str(v: float) -> str:
    return str(int(v)) if v.is_integer() else str(v)


def _skip_unit(text: str, end: int) -> int:
    """Index just past the currency unit after a number (spaces and 多 allowed)."""
    i = end
    while i < len(text) and text[i] == " ":
        i += 1
    if text.startswith("多", i):
        i += 1
    for u in _CURRENCY:
        if text.startswith(u, i):
            return i + len(u)
    return end


def _add_tenths(text: str, end: int, unit_end: int, value: float) -> float:
    """"128块5" -> 128.5, "两块五" -> 2.5."""
    if not text[end:unit_end].endswith("块") or unit_end >= len(text):
        return value
    c = text[unit_end]
    nxt = text[unit_end + 1:unit_end + 2]
    if nxt and (nxt.isdigit() or nxt in _CN_DIGITS or nxt in _CN_UNITS or nxt in "块元双件个"):
        return value
    if c.isdigit() and c.isascii():
        return value + int(c) / 10
    if c in _CN_DIGITS and c != "零":
        return value + _CN_DIGITS[c] / 10
    return value
