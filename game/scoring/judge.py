"""The engine's judge: scores each trainee message as it is sent and moves the buyer's mood at once.

One Judge may serve every chat of a desk; it remembers, per chat, the price on the table, whether
the value was explained, and the buyer's private data (so a name or phone number of one buyer said
in another buyer's chat is caught).
"""
from __future__ import annotations

import re
import weakref
from collections import Counter
from dataclasses import dataclass, field

from .scorer import ReplyContext, ReplyResult, Scorer

_DIGITS = re.compile(r"\d{7,}")


@dataclass
class _ChatState:
    offer: float | None = None  # the price on the table before the next message
    justified: bool = False
    private: set[str] = field(default_factory=set)


def shop_facts(persona) -> tuple[dict[str, float], dict[str, tuple]]:
    """Context variables and lists of a persona's shop and product (what `when:` conditions read)."""
    nums, lists = shop_context(persona.shop, persona.product)
    nums["list_price"], nums["floor_price"] = float(persona.list_price), float(persona.floor_price)
    return nums, lists


def shop_context(shop, product=None) -> tuple[dict[str, float], dict[str, tuple]]:
    """The facts of a shop's policies, and of one of its products when known."""
    pol = shop.policies
    nums: dict[str, float] = {"return_days": float(pol.return_days), "exchange_days": float(pol.exchange_days),
                              "cod": 1.0 if pol.cash_on_delivery else 0.0}
    if pol.invoice_tax_rate:
        nums["tax_rate"] = round(float(pol.invoice_tax_rate) * 100, 4)
    if pol.free_shipping_threshold:
        nums["free_shipping_threshold"] = float(pol.free_shipping_threshold)
    m = re.match(r"^(\d{1,2}):(\d{2})$", pol.shipping_cutoff or "")
    if m:
        nums["cutoff"] = int(m.group(1)) + int(m.group(2)) / 60
    lists: dict[str, tuple] = {"couriers": tuple((str(n), float(f)) for n, f in pol.couriers),
                               "shop": (str(shop.name),)}
    if pol.custom_days:
        nums["custom_days"] = float(pol.custom_days)
    if pol.instant_refund is not None:
        nums["instant_refund"] = 1.0 if pol.instant_refund else 0.0
    if pol.gifts is not None:  # declared: a gift named outside it is a promise the shop does not keep
        lists["gifts"] = tuple(dict.fromkeys(w for g in pol.gifts for w in (g.name, *g.words)))
        nums["gift_per_order"] = 1.0 if any(g.per_order for g in pol.gifts) else 0.0
    if product is not None:
        nums.update({"list_price": float(product.price), "floor_price": float(product.floor_price),
                     "stock": float(product.stock)})
        lists["colors"] = tuple(str(c) for c in product.colors)
        if product.sizes:
            lists["sizes"] = tuple(str(x) for x in product.sizes)
        lists["product"] = (str(product.name),)  # for the {product} of a model answer
        lists["materials"] = tuple(str(m) for m in product.materials)
        lists["points"] = tuple(str(p) for p in (*product.selling_points, *product.weak_points))
        lists["weak_points"] = tuple(str(p) for p in product.weak_points)
        others = other_product_words(shop, product)
        if others:
            lists["others"] = others
    else:  # a material none of the shop's products is made of is wrong whichever one is meant
        lists["shop_materials"] = tuple(dict.fromkeys(str(m) for p in shop.products.values() for m in p.materials))
    return nums, lists


def _base_name(name: str) -> str:
    return re.sub(r"\s*\d+\s*(?:cm|mm|米)?\s*$", "", name.lower()).strip()  # "花箱 60cm" -> "花箱"


def other_product_words(shop, product) -> tuple[str, ...]:
    """Words that name another product of the shop and not this one: after them, a reply's sizes and
    colours are that product's ("您穿42的话看看防滑工作鞋,38到44码都有,只有黑色")."""
    from game.language.learned import words

    own = _base_name(product.name)
    own_words = set(words(own)) | {str(x).lower() for x in (*product.selling_points, *product.materials)}
    out: list[str] = []
    for p in shop.products.values():
        if p is product:
            continue
        base = _base_name(p.name)
        if not base or base == own or len(base) < 2:
            continue
        kind = base[-1]
        found = [base[i:] for i in range(len(base) - 1) if not own.endswith(base[i:])]
        found += [w + kind for w in words(base) if len(w) >= 2 and w != base and w[-1] != kind
                  and not any(w in o for o in own_words)]
        out += [w for w in found if len(w) >= 2]
    return tuple(dict.fromkeys(out))


def guess_shop(shops: dict, *texts: str):
    """(shop, products) a chat is about, from the names its lines mention: the products named best
    (several when the words fit more than one, e.g. 花箱); (None, ()) when no shop is named."""
    from game.language.learned import words

    joined = "".join(t or "" for t in texts).lower()
    best = (0.0, None, ())
    for shop in shops.values():
        score = 3.0 if shop.name and shop.name[:2] in joined else 0.0
        # the buyer's own words name the product first; a reply may name a gift or a second product
        top, prods = _named_products(shop, (texts[0] or "").lower(), words) if texts else (0.0, [])
        if not top:  # what the replies name, leaving out what they give away ("送一套园艺三件套")
            top, prods = _named_products(shop, re.sub(r"(?:赠送|加送|赠|送)[^,.!?;，。！？]{0,8}", "", joined), words)
        if score + top > best[0]:
            best = (score + top, shop, tuple(prods))
    return best[1], best[2]


def _named_products(shop, joined: str, words) -> tuple[float, list]:
    """The products of `shop` the text names best, and how well (0 when none)."""
    top, prods = 0.0, []
    for p in shop.products.values():
        name = p.name.lower()
        if name in joined:
            hit = 10.0
        else:  # 防滑厨师工作鞋 is the 厨师鞋 a buyer asks about: its words (厨师), then its kind (鞋)
            base = re.sub(r"\s*\d+\s*(?:cm|mm|米)?\s*$", "", name).strip()  # "花箱 60cm" -> "花箱"
            toks = [w.strip() for w in words(base)]
            # single characters the tokenizer left are read in pairs: 雪 纺 -> 雪纺, 直 筒 -> 直筒
            pairs = {a + b for a, b in zip(toks, toks[1:]) if len(a) == 1 and len(b) == 1}
            parts = set(toks) | pairs | {base[-2:]}
            hit = sum(1.0 for w in parts if len(w) >= 2 and w in joined)
            if hit and base and base[-1] in joined:
                hit += 0.5
            hit += sum(2.0 for m in re.findall(r"\d+\s*(?:cm|mm|米)", name) if m in joined)  # 60cm or 90cm
            # "90的包邮吗": the bare length names the 90cm one (not a price: no 元/块 after it)
            hit += sum(1.5 for m in re.findall(r"(\d+)\s*(?:cm|mm|米)", name)
                       if m + "cm" not in joined and re.search(rf"(?<![\d.]){m}(?![\d.]|\s*(?:元|块|cm|mm|米))", joined))
        if hit and hit > top:
            top, prods = hit, [p]
        elif hit and hit == top:
            prods.append(p)
    return top, prods


def products_context(shop, products) -> tuple[dict[str, float], dict[str, tuple]]:
    """shop_context for the product named, or for the shop when several fit: then only what they share
    is a fact, and a weak point of half of them or more is one a reply must not deny (花箱 has knots;
    one made-to-order planter's no-return rule is not every planter's)."""
    if len(products) == 1:
        return shop_context(shop, products[0])
    nums, lists = shop_context(shop, None)
    gap = price_gap(products)
    if gap is not None:
        nums["price_gap"] = gap
    if products:
        count = Counter(str(w) for p in products for w in dict.fromkeys(p.weak_points))
        lists["weak_points"] = tuple(w for w, n in count.items() if 2 * n >= len(products))
        lists["points"] = tuple(dict.fromkeys(str(w) for p in products for w in (*p.selling_points, *p.weak_points)))
        lists["materials"] = tuple(dict.fromkeys(str(m) for p in products for m in p.materials))
    return nums, lists


def price_gap(products) -> float | None:
    """What one of two named products costs more than the other (the 差价 of an exchange)."""
    if len(products) != 2 or products[0].price == products[1].price:
        return None
    return abs(float(products[0].price) - float(products[1].price))


def named_products(shop, text: str) -> list:
    """The products of `shop` that `text` names best ([] when none)."""
    from game.language.learned import words

    return _named_products(shop, (text or "").lower(), words)[1]


def is_left_message(msg) -> bool:
    """An agent message written while the buyer was offline (a state with `away: true`)."""
    return getattr(msg, "kind", "line") == "message"


def is_reply(tr, index: int) -> bool:
    """The agent message at ``index`` answers a buyer line (it is not a second message in a row)."""
    return index > 0 and tr[index - 1].who != "agent"


def flow_name(rubric, persona) -> str:
    return "after_sales" if persona.archetype in rubric.config.after_sales_archetypes else "sale"


def message_context(conv, index: int, *, offer: float | None, justified: bool, others=(),
                    flow: str = "sale") -> ReplyContext:
    """The context of the agent message at ``conv.transcript[index]``, from the chat before it."""
    tr = conv.transcript
    msg = tr[index]
    # The engine's own figure (what the window shows): from the buyer's first unanswered line; a
    # message left while the buyer is offline (kind "message") is no timed reply at all.
    wait = None if is_left_message(msg) else max(0.0, float(getattr(msg, "wait", 0.0) or 0.0))
    typing = None
    if getattr(msg, "typing_started", None) is not None:
        typing = max(0.0, msg.time - msg.typing_started)
    nums, lists = shop_facts(conv.persona)
    nums["prev_offer"] = float(offer if offer is not None else conv.persona.list_price)
    nums["justified"] = 1.0 if justified else 0.0
    buyer = buyer_message(tr, index)
    named = named_products(conv.persona.shop, buyer or "")
    gap = price_gap(named)
    if gap is not None:  # "S码换成M码,差多少钱": the two products the buyer names
        nums["price_gap"] = gap
    own = conv.persona.product
    if any(p.sku != own.sku for p in named) and "materials" in lists:
        # a reply to "挂表粉色的好看吗" may be about the watch: its 硅胶表带 is no false claim
        lists["materials"] = tuple(dict.fromkeys([*lists["materials"], *(str(m) for p in named for m in p.materials)]))
    stage = None
    if msg.first:
        stage = "after_sales" if flow == "after_sales" else "greeting"
    return ReplyContext(
        buyer=buyer, situation=getattr(msg, "situation", None),
        earlier=earlier_buyer_lines(tr, index),
        stage=stage, first=bool(msg.first), wait=wait, typing_seconds=typing,
        previous=tuple(m.text for m in tr[:index] if m.who == "agent"), others=tuple(others),
        vars=nums, lists=lists)


def earlier_buyer_lines(tr, index: int) -> tuple[str, ...]:
    """The buyer's lines before the message the agent message at ``index`` answers."""
    last_agent = max((i for i in range(index) if tr[i].who == "agent"), default=-1)
    return tuple(m.text for m in tr[:max(0, last_agent)] if m.who == "buyer"
                 and getattr(m, "kind", "line") not in ("nudge", "confused", "leave"))


def buyer_message(tr, index: int) -> str | None:
    """What the buyer said since the agent's previous message (the message this one answers)."""
    lines = []
    for m in reversed(tr[:index]):
        if m.who == "agent":
            break
        if m.who == "buyer" and getattr(m, "kind", "line") not in ("nudge", "confused", "leave"):
            lines.append(m.text)
    return "\n".join(reversed(lines)) or None


def private_tokens(conv) -> set[str]:
    """What must never reach another buyer: this buyer's name and long numbers (phone, order)."""
    out = set()
    name = getattr(conv.persona.buyer, "name", "") or ""
    if len(name) >= 2 and name not in ("买家", "顾客", "客户"):
        out.add(name)
    for m in conv.transcript:
        if m.who == "buyer":
            out.update(_DIGITS.findall(m.text))
    return out


def _scripted_reaction(conv, reading) -> bool:
    """The buyer's current state answers one of the reply's intents with a mood drop of its own."""
    if reading is None:
        return False
    try:
        on = conv.persona.states[conv.state].on
    except (KeyError, AttributeError):
        return False
    return any(t.mood < 0 for name in reading.names for t in on.get(name, ()))


class Judge:
    def __init__(self, scorer: Scorer):
        self.scorer = scorer
        self._chats: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _state(self, conv) -> _ChatState:
        st = self._chats.get(conv)
        if st is None:
            st = _ChatState()
            self._chats[conv] = st
        return st

    def judge(self, conv, message, reading) -> ReplyResult:
        st = self._state(conv)
        st.private = private_tokens(conv)
        mine = st.private
        others = set()
        for other, ost in list(self._chats.items()):
            if other is not conv:
                others |= ost.private
        others -= mine
        index = len(conv.transcript) - 1
        if conv.transcript[index] is not message:
            index = next(i for i, m in enumerate(conv.transcript) if m is message)
        justified = st.justified or bool(reading is not None and reading.has("justify_price"))
        ctx = message_context(conv, index, offer=st.offer, justified=justified, others=sorted(others),
                              flow=flow_name(self.scorer.rubric, conv.persona))
        res = self.scorer.score(message.text, ctx, reading)
        if res.mood_delta < 0 and _scripted_reaction(conv, reading):
            res.mood_delta = 0.0  # the persona's author already wrote how this buyer takes it
        if res.offer is not None:
            st.offer = res.offer
        st.justified = justified
        return res
