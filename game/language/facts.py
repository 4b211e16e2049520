"""Facts a buyer reacts to: prices, discounts, reductions, free shipping, gifts,
quantities, sizes and order numbers.

Numbers are found once (Arabic or Chinese numerals) and classified by what
follows them (元, 折, 码, 双...) and what precedes them in the same clause.
Offers are negation-aware ("不包邮", "无法再便宜了"); plain price mentions are not.

The words (currencies, measure words, price and offer cues, free-shipping and
gift phrases, size cues...) come from the lexicon, scenarios/rules/reader.yaml;
what stays here is the grammar of numbers (numerals, 折/码/号 units and their ranges).
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
    stock_count: int | None = None  # "就剩6件了": how many are left, told to the buyer
    sizes: tuple[str, ...] = ()  # "37", "37.5", "XL", "均码"
    order_numbers: tuple[str, ...] = ()
    # Numbers with roles. ``offers``: prices put to the buyer, in order (refused, quoted totals,
    # thresholds, compensation and worked sums left out); the last one is the offer.
    offers: tuple[float, ...] = ()
    refused: tuple[float, ...] = ()  # "150这个价批不下来"
    compensation: float | None = None  # "补偿您15元红包"
    threshold: float | None = None  # "满199包邮", "超过199就包邮"
    total: float | None = None  # "两件加起来217元"
    result: float | None = None  # the last number of a worked sum: "三十二乘百分之五,一块六毛钱"
    tax: float | None = None  # "税费是1.6元": what the buyer adds for an invoice, no price
    order_hour: float | None = None  # "下午4点半拍的": the hour an order was placed or paid (16.5)
    held_days: float | None = None  # "买了10天了": how long the buyer has had the goods
    # "38有点挤": the size the buyer wears and which way it fits: 1 too small (bigger is right),
    # -1 too big (smaller is right), 0 not said
    fit_size: float | None = None
    fit: int = 0
    # "店长批了,116一双": a price stated with no offer word, in a reply that neither refuses, justifies
    # nor recommends (reader.yaml offer.plain_not_with). It is an offer when it is at least
    # ``plain_floor`` of the current price and below it (see ``offered_price``).
    plain_floor: float | None = None

    @property
    def offer_price(self) -> float | None:
        return self.offers[-1] if self.offers else None


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


# ---------------------------------------------------------------- rules

_NEVER = re.compile(r"(?!)")
_NO_WORD = ("\uffff",)  # a startswith() tuple that matches nothing typed
# Counts written with numerals before a gift's measure word ("送两双").
_GIFT_COUNT = r"(?:[一两二三四五六七八九十\d]+|几)"
_SIZE_LETTER = re.compile(r"(?<![a-z])([2-6]?x{0,3}l|x{1,2}s|s|m)(?![a-z])\s*(码|号)?")
_BUY_X_GET_Y = re.compile(r"买[一二两三四五\d]送[一二两三\d]")


def _alt(words, blockers=()) -> str:
    """Regex alternation of ``words``, longest first. A word that ends one of
    ``blockers`` ("少" in "至少") does not match at the end of that blocker."""
    branches = []
    for w in sorted(dict.fromkeys(words), key=len, reverse=True):
        prefixes = [b[: -len(w)] for b in blockers if len(b) > len(w) and b.endswith(w)]
        single = "".join(re.escape(p) for p in prefixes if len(p) == 1)
        guard = f"(?<![{single}])" if single else ""
        guard += "".join(f"(?<!{re.escape(p)})" for p in prefixes if len(p) > 1)
        branches.append(guard + re.escape(w))
    return "|".join(branches)


def _cue_before(words, fillers=(), repeat="*", blockers=()) -> re.Pattern[str]:
    """One of ``words`` then ``fillers`` (``repeat``: "*" any number, "?" at most one)
    at the end of the text."""
    if not words:
        return _NEVER
    tail = f"(?:{_alt(fillers)}){repeat}" if fillers else ""
    return re.compile(f"(?:{_alt(words, blockers)}){tail}$")


class FactRules:
    """The fact words of a lexicon (reader.yaml), compiled for ``scan_facts``."""

    def __init__(self, lex):
        from game.language.normalize import probe_chars

        w = lex.words
        self.currency = w("price", "currency")  # longest first: "块钱" before "块"
        self.currency_before = w("price", "currency_before")
        self.price_after = w("price", "cues_after")
        self.non_price_after = w("price", "not_price_after")
        self.non_price_before = w("price", "not_price_before")
        self.price_before = _cue_before(w("price", "cues_before"), w("price", "cue_joiners"), "?")
        self.classifiers = w("quantity", "measures")
        self.not_classifier = w("quantity", "not_measures")
        self.ordinals = w("quantity", "ordinals")
        self.red_before = _cue_before(w("reduction", "verbs"), w("reduction", "fillers"), "*",
                                      w("reduction", "not_verbs"))
        self.offer_before = _cue_before(w("offer", "cues_before"), w("offer", "fillers"), "*")
        after, not_after = w("offer", "cues_after"), w("offer", "not_after")
        guard = f"(?!{_alt(not_after)})" if not_after else ""
        self.offer_after = re.compile(f"^(?:{_alt(after)}){guard}") if after else _NEVER
        self.phone_before = _cue_before(w("phone", "words"), w("phone", "fillers"), "*")
        self.size_num_before = _cue_before(w("sizes", "number_before"), w("sizes", "number_before_fillers"), "?")
        self.size_num_after = w("sizes", "number_after")
        self.size_num_join = w("sizes", "number_join")
        cues = w("sizes", "letter_cues")
        self.size_cue = re.compile(f"(?:{_alt(cues)})\\s*$") if cues else _NEVER
        self.one_size = w("sizes", "one_size")
        self.discount_verbs = w("discount", "verbs")
        self.not_discount_unit = w("discount", "not_units")
        half = w("discount", "half_price")
        self.half = re.compile(_alt(half)) if half else _NEVER
        self.half_probes = probe_chars(half)
        recipients = w("gift", "recipients")
        self.gift_verb_before = _cue_before(w("quantity", "gift_verbs"), recipients, "?")
        self.not_quantity_before = _cue_before(w("quantity", "not_before"), w("quantity", "not_before_fillers"), "*")
        self.quantity_if_after = w("quantity", "if_after")

        # Free shipping and gift words, negation-aware on the compact form.
        free = w("free_shipping", "words")
        self.free_matcher = PhraseMatcher(((p, 0) for p in free), lex)
        self.free_probes = probe_chars(free)
        gift_words = w("gift", "words")
        self.gift_matcher = PhraseMatcher(((p, 0) for p in gift_words), lex)

        # "送您一双袜子": verb, recipient, count, thing.
        verbs = w("gift", "verbs")
        counted, bare = w("gift", "counted_measures"), w("gift", "bare_measures")
        count = "|".join(
            ([f"{_GIFT_COUNT}\\s*(?:{_alt(counted)})"] if counted else []) + ([_alt(bare)] if bare else []))
        self.gift_re = re.compile(
            f"(?:{_alt(verbs, w('gift', 'not_verbs'))})"
            + (f"(?:{_alt(recipients)})?" if recipients else "") + r"\s*"
            + (f"(?:{count})?" if count else "") + r"\s*"
            + r"(?P<thing>[\u4e00-\u9fff]{1,8})"
        ) if verbs else _NEVER
        self.gift_stop = frozenset(w("gift", "stop_chars"))
        self.gift_bad_start = frozenset(w("gift", "bad_start_chars"))
        self.generic_gift = w("gift", "generic")
        self.gift_receivers = w("gift", "receivers")  # "送闺蜜": who a present is for, not a gift
        # "鞋垫给您安排上了": a gift thing named, then granted in the same clause without a 送.
        things, granted = w("gift", "things"), w("gift", "granted")
        self.gift_granted_re = re.compile(
            f"(?P<thing>{_alt(things)})[^,.!?;:。、~\\s]{{0,5}}?(?P<grant>{_alt(granted)})"
        ) if things and granted else _NEVER
        # Roles of numbers (reader.yaml 'roles').
        self.together_after = w("roles", "together_after") or _NO_WORD
        self.percent_before = w("roles", "percent_before") or _NO_WORD
        self.threshold_before = _cue_before(w("roles", "threshold_before"), w("roles", "threshold_fillers"), "*")
        self.compensation_before = (re.compile(_alt(w("roles", "compensation_before")))
                                    if w("roles", "compensation_before") else _NEVER)
        self.compensation_after = w("roles", "compensation_after") or _NO_WORD
        tax = w("roles", "tax_before")
        self.tax_before = _cue_before(tax, w("price", "cue_joiners"), "?") if tax else _NEVER
        self.tax_after = w("roles", "tax_after") or _NO_WORD
        self.invoice_words = w("roles", "invoice_words") or _NO_WORD
        inv = w("roles", "invoice_before")
        self.invoice_before = _cue_before(inv, w("price", "cue_joiners"), "?") if inv else _NEVER
        self.lone_one_after = w("roles", "lone_one_after") or _NO_WORD
        extra = w("roles", "extra_before")
        self.extra_before = _cue_before(extra, w("price", "cue_joiners"), "?") if extra else _NEVER
        quoted = w("roles", "quoted_before")
        self.quoted_before = re.compile(_alt(quoted)) if quoted else _NEVER
        self.total_before = re.compile(_alt(w("roles", "total_before"))) if w("roles", "total_before") else _NEVER
        ops = w("roles", "operators")
        # "加" is a sum only between two numbers ("128加15元"), not in "120加一双鞋垫"
        between = w("roles", "operators_between")
        alt = "|".join(x for x in (_alt(ops) if ops else "",
                                    f"(?<=[\\d元块])\\s*(?:{_alt(between)})(?=\\s*\\d)" if between else "") if x)
        self.operators = re.compile(alt) if alt else _NEVER
        self.operator_after = re.compile(f"^\\s*(?:块|元)?[\\s,]*(?:{alt})") if alt else _NEVER
        # an operand may carry a short name after its operator: "鞋子128+顺丰15"
        alt_before = "|".join(x for x in (_alt(ops) if ops else "",
                                           f"(?<=[\\d元块])\\s*(?:{_alt(between)})" if between else "") if x)
        self.operator_before = re.compile(f"(?:{alt_before})[\\s,]*[\u4e00-\u9fff]{{0,4}}$") if alt_before else _NEVER
        refusals = w("roles", "refusal_after")
        self.refusal_after = re.compile(_alt(refusals)) if refusals else _NEVER
        # Clock times next to an order word ("下午4点半拍的").
        self.afternoon = w("clock", "afternoon")
        self.noon = w("clock", "noon")
        self.morning = w("clock", "morning")
        self.order_words = w("clock", "order_words")
        self.deadline_after = w("clock", "deadline_after") or _NO_WORD
        self.now_words = w("clock", "now_words")
        parts = self.afternoon + self.noon + self.morning
        self.clock_re = re.compile(
            (f"(?P<part>{_alt(parts)})?\\s*" if parts else "")
            + r"(?<![\d.])(?P<h>[01]?\d|2[0-3]|[一二两三四五六七八九十]{1,3})\s*(?:点|:)\s*(?P<m>半|一刻|[0-5]\d)?(?!\d)"
        ) if self.order_words else _NEVER
        # How long the goods have been had ("收到第九天", "签收两周了").
        since = w("elapsed", "since_words")
        units = {u: 1 for u in w("elapsed", "day_units")}
        units.update({u: 7 for u in w("elapsed", "week_units")})
        units.update({u: 30 for u in w("elapsed", "month_units")})
        self.held_units = units
        self.held_re = re.compile(
            f"(?:{_alt(since)})(?:了|有|快|都|已经|第){{0,3}}\\s?"
            + r"(?P<n>\d{1,3}|[一二两三四五六七八九十]{1,3}|半)\s?(?P<unit>" + _alt(tuple(units)) + ")"
        ) if since and units else _NEVER
        # Which way the buyer's size fits ("38有点挤", "穿39掉跟").
        tight, loose = w("fit", "tight"), w("fit", "loose")
        self.fit_re = re.compile(f"(?P<tight>{_alt(tight)})|(?P<loose>{_alt(loose)})") if tight or loose else _NEVER
        self.fit_not_before = w("fit", "not_before")
        self.fit_not_after = w("fit", "not_after")
        self.fit_size_re = re.compile(
            r"(?<![\d.])(?P<n>(?:2[2-9]|3\d|4[0-8])(?:\.5)?)(?![\d.])(?!\s*(?:元|块|岁|斤|公斤|kg|cm|厘米|天|个|件|双|点|分|%))"
            r"\s*(?:码|号)?(?:的)?[^,.!?;，。！？\d]{0,8}?"
            f"(?:{_alt(tight + loose)})") if tight or loose else _NEVER
        worn = w("fit", "worn_before")
        self.worn_size_re = re.compile(
            f"(?:{_alt(worn)})(?:都|也|就)?(?:穿|是|拿|买)?(?:的)?\\s*"
            r"(?P<n>(?:2[2-9]|3\d|4[0-8])(?:\.5)?)(?![\d.])(?!\s*(?:元|块|岁|斤|公斤|kg|cm|厘米|天|个|件|双|点|分|%))"
        ) if worn else _NEVER
        # Buy-x-get-y needs a 送 too.
        self.gift_probes = probe_chars(verbs + gift_words + ("送",) + things)


def _gift_thing(raw: str, rules: FactRules) -> str | None:
    if raw[0] in rules.gift_bad_start or raw.startswith(rules.gift_receivers):
        return None
    out = []
    for c in raw:
        if c in rules.gift_stop:
            break
        out.append(c)
    thing = "".join(out[:6])
    if not thing:
        return None
    if rules.generic_gift and thing.endswith(rules.generic_gift):
        return "礼品"
    return thing


# ---------------------------------------------------------------- extraction


def _same_number(size: str, value: float) -> bool:
    try:
        return float(size) == value
    except ValueError:
        return False


def offered_price(reading, list_price: float, current: float) -> float | None:
    """The price a reply puts to the buyer, below ``current``, or None: the last price offered
    (not a refused, quoted or threshold one; a price for several items counts per item), else a
    discount off the list price, else a reduction from the current offer. Engine and scorer share it."""
    if reading is None:
        return None
    facts = reading.facts
    plain = not reading.has("offer_discount")
    if plain and not (facts.plain_floor and facts.offers):
        return None  # a price mentioned ("满99包邮", "别家才139") is not an offer
    offer = None
    if facts.offer_price:
        offer = facts.offer_price
        # a size named in the message said again bare ("建议换28码…换28可以吗?") is no price
        if any(_same_number(z, offer) for z in facts.sizes) and not facts.discount and not facts.reduction:
            return None
        if facts.quantity and facts.quantity > 1 and offer >= current:
            if offer == current or (facts.total and facts.total > offer):
                return None  # the unit price said again beside its total ("每双115,合计1380元")
            offer = offer / facts.quantity  # "两双给您算320"
    elif facts.discount:
        offer = list_price * facts.discount
    elif facts.reduction:
        offer = current - facts.reduction
    if offer is None or not 0 < offer < current:
        return None
    if plain and (facts.discount or facts.reduction or offer < current * facts.plain_floor):
        return None  # a small sum said in passing (运费15元) is not the goods' price
    # a sum at or above what the order costs already is a fee added ("顺丰的15元给您加上,一共143元")
    # (a unit price times a count, "每双116,一共1392", is still the offer)
    if facts.total and facts.total >= current * max(facts.quantity or 1, 1):
        each = facts.total / offer
        if abs(each - round(each)) > 0.01 or round(each) < 2:
            return None
    return round(offer, 2)


def extract_facts(text: str, lexicon=None) -> Facts:
    """Facts in one message (convenience wrapper; the reader calls ``scan_facts``).

    ``lexicon``: the reader word lists (None: the shipped reader.yaml).
    """
    return scan_facts(prepare(text, lexicon=lexicon))[0]


def scan_facts(prep: Prepared) -> tuple[Facts, dict[str, tuple[int, int]]]:
    """Facts plus, per offer kind, the normalized span of its first offer.

    Offer kinds: "offer_discount" (an offered price, discount or reduction),
    "offer_free_shipping", "offer_gift". The words come from the lexicon ``prep``
    was prepared with.
    """
    R: FactRules = prep.lexicon.facts
    text = prep.analysed
    offers: dict[str, tuple[int, int]] = {}
    prices: list[float] = []
    discount: float | None = None
    reduction: float | None = None
    quantity: int | None = None
    stock_count: int | None = None
    conditions: list[int] = []  # where a count put as a condition ends
    sizes: list[tuple[int, str]] = []  # (position, label)
    orders: list[str] = []
    offered: list[float] = []
    refused: list[float] = []
    operands: list[float] = []
    results: list[float] = []  # numbers right after 等于
    compensation = threshold = total = tax = None
    has_ops = R.operators.search(text) is not None

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
                    if not R.phone_before.search(_clause_before(text, start)[0]):
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
            if is_digits and R.non_price_before and before.endswith(R.non_price_before) \
                    and not after.startswith(R.currency):
                continue  # "60x30x30": a measure

            if after.startswith("折") and not after.startswith(R.not_discount_unit):
                d = _discount_value(raw, value)
                if d is not None:
                    tail = end + text[end:].index("折") + 1
                    dv = next((v for v in R.discount_verbs if before.endswith(v)), None)  # "打个九折"
                    verb = before_lo + len(before) - len(dv) if dv else start
                    if not negated(verb, tail) and not _refused_after(prep, text, tail, R):  # "八折确实有点难"
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
            if after.startswith(R.classifiers) and not after.startswith(R.not_classifier):
                if (
                    value.is_integer()
                    and not before.endswith(R.ordinals)
                    and not (after[0] == "个" and value < 2)
                    and not R.gift_verb_before.search(before)
                ):
                    if R.not_quantity_before.search(before):  # "就剩6件了": stock, not the order
                        if stock_count is None:
                            stock_count = int(value)
                    elif _condition_after(text, end, R):
                        conditions.append(end)  # what free postage would take, not what she ordered
                    elif quantity is None and value < 100000:
                        quantity = int(value)
                continue

            currency = after.startswith(R.currency) or before.endswith(R.currency_before)
            unit_end = end
            if after.startswith("多") and after[1:].startswith(R.currency):
                currency = True
            if currency:
                unit_end = _skip_unit(text, end, R.currency)
                with_tenths = _add_tenths(text, end, unit_end, value)
                if with_tenths != value:
                    value = with_tenths
                    unit_end += 1
                    skip_to = unit_end
            elif after.startswith(R.non_price_after) and not after.startswith(R.price_after):
                continue

            role = _role(R, text, raw, start, end, unit_end, before, currency, has_ops)
            if role == "together":
                continue
            if role == "percent":
                continue
            if role == "threshold":
                threshold = value if threshold is None else threshold
                continue
            if role == "compensation":
                compensation = value if compensation is None else compensation
                continue
            if role == "tax":
                tax = value if tax is None else tax
                continue
            if role == "extra" and tax is None and "税" in text:
                tax = value  # "按5%算,您补10块钱": in an invoice's reply what the buyer adds is the tax
                continue
            if role == "extra":
                if currency and value not in prices:
                    prices.append(value)  # a figure the buyer hears ("补20元运费"), never an offer
                continue
            if role == "operand":
                operands.append(value)
                continue
            if role == "result":
                results.append(value)
                continue

            if (not currency and is_digits and 33 <= value <= 46 and (value * 2).is_integer() and sizes
                    and before.endswith(R.size_num_join)):
                sizes.append((start, _num_str(value)))  # "您平时穿38的话可以改成39": a size, not a price
                continue
            red = R.red_before.search(before)
            if red and (currency or is_digits):
                vpos = before_lo + red.start()
                if not negated(vpos, unit_end) and not prep.negated_after(prep.to_compact(before_lo + red.end())):
                    if reduction is None:
                        reduction = value
                    offer("offer_discount", vpos, unit_end)
                continue

            price_cue = after.startswith(R.price_after) or R.price_before.search(before) is not None
            if (
                not currency and not price_cue and is_digits
                and 33 <= value <= 46 and (value * 2).is_integer()
                and (
                    R.size_num_before.search(before)
                    or after.startswith(R.size_num_after)
                    or (sizes and before.endswith(R.size_num_join))
                )
            ):
                sizes.append((start, _num_str(value)))  # "您穿37的话拍38比较合适"
                continue
            big_enough = is_digits or value >= 10
            is_price = currency or (
                big_enough
                and (
                    price_cue
                    or (is_digits and R.offer_after.match(after) is not None)
                    or (is_digits and R.offer_before.search(before) is not None)
                    or (not is_digits and _has_big_unit(raw) and value >= 100)
                )
            )
            if not is_price:
                continue
            if value not in prices:
                prices.append(value)
            cue = R.offer_before.search(before)
            if cue or R.offer_after.match(_after(text, unit_end)):
                a = before_lo + cue.start() if cue else start
                if not negated(a, unit_end):
                    offer("offer_discount", a, unit_end)
            if role == "total" and not cue:
                total = value if total is None else total
            elif role == "quoted" and not cue:
                pass  # "原价168": told, not offered
            elif negated(start, unit_end) or _refused_after(prep, text, unit_end, R):
                refused.append(value)
            else:
                offered.append(value)

    if discount is None and any(c in text for c in R.half_probes):
        for m in R.half.finditer(text):
            if not negated(m.start(), m.end()):
                discount = 0.5
                offer("offer_discount", m.start(), m.end())
                break

    free_shipping = False
    if any(c in text for c in R.free_probes):
        for h in R.free_matcher.scan(prep):
            a = prep.compact_to_norm[h.start]
            # free shipping for a count she has not ordered is a condition, not given
            free_shipping = not any(e <= a and not re.search(r"[,.!?;]", text[e:a]) for e in conditions)
            offer("offer_free_shipping", a, prep.compact_to_norm[h.end - 1] + 1)
            break

    gift: str | None = None
    if any(c in text for c in R.gift_probes):
        for m in R.gift_re.finditer(text):
            thing = _gift_thing(m.group("thing"), R)
            if thing is None:
                continue
            verb_end = m.start() + 1
            if negated(m.start(), verb_end):
                continue
            gift = thing
            offer("offer_gift", m.start(), m.start("thing") + len(thing))
            break
        if gift is None:
            for m in R.gift_granted_re.finditer(text):
                if not negated(m.start("grant"), m.end("grant")):
                    thing = m.group("thing")
                    gift = "礼品" if R.generic_gift and thing.endswith(R.generic_gift) else thing
                    offer("offer_gift", m.start(), m.end())
                    break
        if gift is None:
            m = _BUY_X_GET_Y.search(text)
            if m and not negated(m.start(), m.end()):
                gift = "同款"
                offer("offer_gift", m.start(), m.end())
        if gift is None:
            for h in R.gift_matcher.scan(prep):
                gift = "礼品"
                a = prep.compact_to_norm[h.start]
                offer("offer_gift", a, prep.compact_to_norm[h.end - 1] + 1)
                break

    for word in R.one_size:  # "均码"
        pos = text.find(word)
        if pos >= 0:
            sizes.append((pos, word))
    if any(c in text for c in "lmsx"):
        for m in _SIZE_LETTER.finditer(text):
            label = m.group(1)
            if len(label) == 1 and not m.group(2):
                if not R.size_cue.search(text[max(0, m.start() - 4):m.start()]):
                    continue
            sizes.append((m.start(), label.upper()))

    facts = Facts(
        prices=tuple(prices),
        discount=discount,
        reduction=reduction,
        free_shipping=free_shipping,
        gift=gift,
        quantity=quantity,
        stock_count=stock_count,
        sizes=tuple(dict.fromkeys(label for _pos, label in sorted(sizes))),
        order_numbers=tuple(dict.fromkeys(orders)),
        offers=tuple(offered) if not (has_ops and operands) else tuple(offered[:-1]),
        refused=tuple(refused),
        compensation=compensation,
        threshold=threshold,
        total=total,
        result=results[-1] if results else (offered[-1] if has_ops and operands and offered else None),
        tax=tax,
        order_hour=_order_hour(text, R),
        held_days=_held_days(text, R),
        **_fit(text, R, sizes),
    )
    return facts, offers


def _fit(text: str, R: "FactRules", sizes) -> dict:
    """The buyer's size and which way it fits: a fit word not negated nor asked about ("会不会挤"),
    and the size read in the message or said right before the word ("38有点挤"). Words both ways: none."""
    ways = set()
    for m in R.fit_re.finditer(text):
        before, after = text[max(0, m.start() - 3):m.start()], text[m.end():m.end() + 2]
        if any(before.endswith(w) for w in R.fit_not_before) or any(after.startswith(w) for w in R.fit_not_after):
            continue
        ways.add(1 if m.group("tight") else -1)
    if not ways:  # no fit word: the size the buyer usually wears, said plainly ("我平时穿37")
        m = R.worn_size_re.search(text)
        return {"fit_size": float(m.group("n")), "fit": 0} if m else {}
    if len(ways) != 1:
        return {}
    size = next((float(label) for _pos, label in sorted(sizes) if label.replace(".", "", 1).isdigit()), None)
    if size is None:  # "护士鞋38有点挤", "我一般38,脚背高"
        m = R.fit_size_re.search(text) or R.worn_size_re.search(text)
        size = float(m.group("n")) if m else None
    return {"fit_size": size, "fit": ways.pop()} if size is not None else {}


def _held_days(text: str, R: "FactRules") -> float | None:
    """Days the buyer says they have had the goods: "买了10天了" 10, "签收两周了" 14, "半个月" 15."""
    m = R.held_re.search(text)
    if m is None:
        return None
    raw, unit = m.group("n"), m.group("unit")
    n = 0.5 if raw == "半" else float(raw) if raw.isdigit() else parse_chinese_number(raw)
    if n is None:
        return None
    return n * R.held_units.get(unit, 1)


def _order_hour(text: str, R: "FactRules") -> float | None:
    """The first clock time said beside an order word, or said to be the time now ("现在都五点了":
    an order placed now is placed then), as hours since midnight."""
    if not R.order_words or ("点" not in text and ":" not in text):
        return None
    for m in R.clock_re.finditer(text):
        if text.startswith(R.deadline_after, m.end()):
            continue  # "三点半前付款": a deadline
        near = text[max(0, m.start() - 6):m.start()] + "|" + text[m.end():m.end() + 6]
        if not any(w in near for w in R.order_words) and not any(
                w in text[max(0, m.start() - 6):m.start()] for w in R.now_words):
            continue
        raw = m.group("h")
        h = float(raw) if raw.isdigit() else parse_chinese_number(raw)
        if h is None or h > 23:
            continue
        mins = m.group("m")
        frac = 0.5 if mins == "半" else 0.25 if mins == "一刻" else (int(mins) / 60 if mins else 0.0)
        part = m.group("part") if "part" in R.clock_re.groupindex else None
        if part in R.afternoon and h < 12:
            h += 12
        elif part in R.noon and h < 3:
            h += 12
        elif part is None and 1 <= h <= 7:
            h += 12  # "4点半拍的": shops cut off in the afternoon
        return h + frac
    return None


def _role(R: "FactRules", text: str, raw: str, start: int, end: int, unit_end: int, before: str,
          currency: bool, has_ops: bool) -> str:
    """What a number does in its sentence, from the lexicon's role words (reader.yaml 'roles')."""
    if raw == "一" and text.startswith("块", end) and text[end + 1:].startswith(R.together_after):
        return "together"  # "跟鞋一块给您寄"
    if raw == "一" and text.startswith(R.lone_one_after, end):
        return "together"  # a word, no number: "补一下税点", "便宜一些"
    if before.endswith(R.percent_before) or text.startswith("%", end):
        return "percent"
    tail = text[unit_end:unit_end + 12]
    cut = min((tail.find(c) for c in ",.!?;" if c in tail), default=len(tail))
    tail = tail[:cut]
    if R.threshold_before.search(before):
        return "threshold"
    if R.compensation_before.search(before) or tail.lstrip().startswith(R.compensation_after):
        return "compensation"
    if R.tax_before.search(before) or tail.lstrip().startswith(R.tax_after):
        return "tax"  # "税费1.6元", "1.6元税点我加在订单里"
    if R.invoice_before.search(before) and any(w in text for w in R.invoice_words):
        return "together"  # the invoice's own figures ("开200元的话", "多开32元"): no price, no tax
    if R.extra_before.search(before):
        return "extra"  # "补1元就可以", "另付15元": what the buyer adds, no price offered
    if has_ops and re.search(r"(?:等于|=)\s*$", before):
        return "result"  # "32乘以5%等于1块6": the answer of the worked sum
    if has_ops and (R.operator_after.match(text[unit_end:]) or R.operator_before.search(before)):
        return "operand"
    if R.total_before.search(before):
        return "total"
    if R.quoted_before.search(before):
        return "quoted"
    return "price"


def _clause_rest(text: str, end: int) -> str:
    """What follows ``end`` up to the end of its clause."""
    rest = text[end:]
    return rest[:min((rest.find(c) for c in ",.!?;" if c in rest), default=len(rest))]


def _condition_after(text: str, end: int, R: "FactRules") -> bool:
    """The count is a condition put to the buyer (buy that many for free postage), not what she orders."""
    rest = _clause_rest(text, end)
    return any(w in rest for w in R.quantity_if_after)


def _refused_after(prep: Prepared, text: str, unit_end: int, R: "FactRules") -> bool:
    """The clause after the price turns it down ("150这个价真的批不下来")."""
    return R.refusal_after.search(_clause_rest(text, unit_end)) is not None


def _num_str(v: float) -> str:
    return str(int(v)) if v.is_integer() else str(v)


def _skip_unit(text: str, end: int, currency: tuple[str, ...]) -> int:
    """Index just past the currency unit after a number (spaces and 多 allowed)."""
    i = end
    while i < len(text) and text[i] == " ":
        i += 1
    if text.startswith("多", i):
        i += 1
    for u in currency:
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
