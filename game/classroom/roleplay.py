"""Role-play: a student plays the buyer for another student (分组扮演客服人员、客户).

`HumanBuyerChat` is a Conversation for a human buyer: the same transcript, the same judge scoring
each agent message as it is sent, and the same chat report (`build_report(chat, judge.scorer)`), so
the agent is scored exactly as against a simulated buyer. The buyer ends the chat with an outcome.

`persona_card` is what the buyer plays from (who they are, what they want, the floor price or the
complaint, opening lines as suggestions); `product_card` is what the agent sees (the shop's product
and the buyer's nickname). The host sends the card to the buyer only.
"""
from __future__ import annotations

import itertools

from game.content import placeholders
from game.engine.events import Message
from game.store.recorder import persona_info

from .summary import cut

_ids = itertools.count(1)


def _num(v):
    v = float(v)
    return int(v) if v.is_integer() else round(v, 2)


def fill(persona, text: str) -> str:
    """A persona line with its placeholders filled as the engine fills them at the start of a chat."""
    p = persona
    values = {k: _num(v) for k, v in p.vars.items()}
    values.update(product=p.product.name, shop=p.shop.name, buyer=p.buyer.name, price=_num(p.list_price),
                  list_price=_num(p.list_price), floor_price=_num(p.floor_price), offer_price=_num(p.list_price),
                  color=p.product.colors[0] if p.product.colors else "",
                  size=p.product.sizes[0] if p.product.sizes else "")
    return placeholders.fill(text, values)  # `{name}` only: never Python's format mini-language


def persona_card(persona) -> dict:
    """The protocol's CARD record for the student who plays this persona's buyer."""
    p = persona
    kind = persona_info(p)["kind"]
    lp, fp = _num(p.list_price), _num(p.floor_price)
    if kind == "sale":
        want = (f"你想买{p.shop.name}的{p.product.name},标价 {lp} 元。店铺底价是 {fp} 元:"
                f"试着砍价,看客服能否讲清价值、小步让价、守住底价并促成交易。"
                f"满意就成交;客服态度生硬、回复太慢或价格谈不拢,你可以离开或给差评。")
    else:
        want = (f"你是{p.shop.name}的顾客,商品是{p.product.name}(标价 {lp} 元),你遇到了问题,要客服解决。"
                f"客服先道歉安抚、按店铺政策给出办法,你满意就算解决;推诿、争辩、拖延就离开或给差评。")
    openings = [cut(fill(p, s), 200) for s in p.states[p.start].say][:6]
    seen = set(openings)
    lines = []
    for name, st in p.states.items():
        if name == p.start or st.end:
            continue
        for s in st.say:
            t = cut(fill(p, s), 200)
            if t not in seen:
                seen.add(t)
                lines.append(t)
    return {
        "title": cut(p.title, 80), "summary": cut(p.summary, 400), "buyer": cut(p.buyer.name, 80),
        "shop": cut(p.shop.name, 80), "product": cut(p.product.name, 80), "list_price": float(p.list_price),
        "floor_price": float(p.floor_price), "kind": kind, "want": cut(want, 400), "openings": openings,
        "lines": lines[:10], "endings": "结束对话: /成交 (买下或问题解决)  /离开 (不买了)  /差评",
    }


def product_card(persona) -> dict:
    """The protocol's PRODUCT record: what the agent of a role-play chat sees."""
    p = persona
    return {"shop": cut(p.shop.name, 80), "product": cut(p.product.name, 80), "list_price": float(p.list_price),
            "floor_price": float(p.floor_price), "buyer": cut(p.buyer.name, 80)}


class HumanBuyerChat:
    """A chat whose buyer is a person; quacks like engine.Conversation for the judge, report and store."""

    state = "roleplay"  # not a persona state: the judge's scripted-reaction lookup finds nothing here

    def __init__(self, persona, reader, clock, *, chat_id: str | None = None, judge=None):
        self.persona = persona
        self.reader = reader
        self.clock = clock
        self.judge = judge
        self.id = chat_id or f"rp{next(_ids)}"
        self.started = clock.now()
        self.vars: dict[str, float] = {
            "mood": float(persona.buyer.mood), "turns": 0, "concessions": 0, "offer_price": persona.list_price,
            "list_price": persona.list_price, "floor_price": persona.floor_price, "discount": 0, "nudges": 0,
            "free_shipping": 0, "gift": 0, "quantity": 1,
        }
        self.flags: list[str] = []
        self.transcript: list[Message] = []
        self.history: list[tuple[float, str, str, str]] = []
        self.outcome: str | None = None
        self.outcome_reason = ""
        self._unanswered_since: float | None = None
        self._replied = False

    @property
    def mood(self) -> float:
        return self.vars["mood"]

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    def buyer_says(self, text: str) -> Message:
        if self.finished:
            raise ValueError("the chat is over")
        now = self.clock.now()
        m = Message(now, "buyer", text, "line")
        self.transcript.append(m)
        if self._unanswered_since is None:
            self._unanswered_since = now
        return m

    def trainee_says(self, text: str, *, typing_started: float | None = None) -> Message:
        if self.finished:
            raise ValueError("the chat is over")
        now = self.clock.now()
        wait = now - self._unanswered_since if self._unanswered_since is not None else 0.0
        first = not self._replied
        self._replied = True
        m = Message(now, "agent", text, "line", wait=wait, first=first, typing_started=typing_started)
        self.transcript.append(m)
        reading = self.reader.read(text)
        m.intents = reading.names
        self.vars["turns"] += 1
        self._unanswered_since = None
        facts = reading.facts
        if reading.has("offer_discount") and facts.prices:
            offer = min(facts.prices)
            if 0 < offer < self.vars["offer_price"]:
                self.vars["concessions"] += 1
                self.vars["offer_price"] = offer
                self.vars["discount"] = self.vars["list_price"] - offer
        if facts.free_shipping:
            self.vars["free_shipping"] = 1
        if facts.gift:
            self.vars["gift"] = 1
        if self.judge is not None:
            m.feedback = self.judge.judge(self, m, reading)
            delta = float(getattr(m.feedback, "mood_delta", 0.0) or 0.0)
            self.vars["mood"] = float(min(100.0, max(0.0, self.vars["mood"] + delta)))
        return m

    def end(self, outcome: str, reason: str = "buyer") -> None:
        """The buyer ends the chat: success, lost or bad_review (or the host: None stays unfinished)."""
        if self.finished:
            return
        self.outcome = outcome
        self.outcome_reason = reason
        self.history.append((self.clock.now(), f"buyer_{outcome}", "roleplay", outcome))

    def tick(self) -> list:
        return []

    def close(self) -> None:
        pass
