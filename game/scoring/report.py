"""The chat report: five dimensions, a weighted total with hard caps, a grade, the reception flow,
the closing facts and the three most useful improvements, each quoting the trainee's own words."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from game.language.normalize import compact_phrase

from .judge import flow_name, is_left_message, is_reply, message_context, shop_facts
from .scorer import LONG_CHARS, QUOTE_CHARS, ReplyContext, ReplyResult, Scorer, cut, excerpt, fill

_SENTENCE = re.compile(r"[^。!?！？;；\n]+[。!?！？;；\n]*")
OUTCOME_TITLES = {"success": "成交/问题解决", "lost": "买家离开", "bad_review": "买家差评", "escalated": "投诉升级",
                  "unfinished": "未结束"}


@dataclass
class Improvement:
    kind: str  # rule, stage or timing
    id: str
    title: str
    category: str
    why: str
    quote: str  # the trainee's own sentence ("" when they said nothing)
    rewrite: str
    turn: int | None = None
    count: int = 1

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ChatReport:
    persona: str
    flow: str
    outcome: str
    total: float
    grade: str
    grade_label: str
    dimensions: dict[str, dict]
    caps: list[dict]
    improvements: list[Improvement]
    stages: dict
    closing: dict
    timing: dict
    messages: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "persona": self.persona, "flow": self.flow, "outcome": self.outcome, "total": self.total,
            "grade": self.grade, "grade_label": self.grade_label, "dimensions": self.dimensions, "caps": self.caps,
            "improvements": [i.to_dict() for i in self.improvements], "stages": self.stages,
            "closing": self.closing, "timing": self.timing, "messages": self.messages,
        }


def _shop_gift_name(persona, thing: str, text: str) -> str:
    """The shop's own name of a gift the reply names in part ("送一套园艺三件套" reads 园艺): the
    report shows what the buyer will get."""
    shop = getattr(persona, "shop", None)
    gifts = getattr(getattr(shop, "policies", None), "gifts", None) or ()
    for g in gifts:
        if thing in g.name and g.name in text:
            return g.name
    return thing


def _clamp(v: float) -> float:
    return round(max(0.0, min(100.0, v)), 1)


def _quote(text: str, start: int, end: int, limit: int = QUOTE_CHARS) -> str:
    """The trainee's words around [start, end): the whole reply when short, else its sentence, cut to
    ``limit`` characters around the fault ("…" marks a cut)."""
    if len(text.strip()) <= limit:
        return text.strip()
    for m in _SENTENCE.finditer(text):
        if m.start() <= start < m.end():
            sent = m.group()
            lead = len(sent) - len(sent.lstrip())
            sent = sent.strip()
            return excerpt(sent, start - m.start() - lead, end - m.start() - lead, limit)
    return excerpt(text.strip(), start, end, limit)


def quote_pieces(quote: str) -> list[str]:
    """The trainee's own words in a quote, without the "…" of a cut (each piece is in the reply)."""
    return [q for q in quote.split("…") if q]


def replay(conv, scorer: Scorer) -> list[tuple[int, object, ReplyResult, object]]:
    """Every agent message with its result (the judge's feedback, or scored now) and its reading."""
    reader = scorer.reader or getattr(conv, "reader", None)
    flow = flow_name(scorer.rubric, conv.persona)
    offer, justified = None, False
    out = []
    for i, m in enumerate(conv.transcript):
        if m.who != "agent":
            continue
        reading = reader.read(m.text) if reader is not None else None
        res = m.feedback if isinstance(m.feedback, ReplyResult) else None
        if res is None:
            j = justified or bool(reading is not None and reading.has("justify_price"))
            ctx = message_context(conv, i, offer=offer, justified=j, flow=flow)
            res = scorer.score(m.text, ctx, reading)
        justified = justified or bool(reading is not None and reading.has("justify_price"))
        if res.offer is not None:
            offer = res.offer
        out.append((i, m, res, reading))
    return out


def build_report(conv, scorer: Scorer) -> ChatReport:
    rub = scorer.rubric
    cfg = rub.config
    persona = conv.persona
    flow = cfg.flow_for(persona.archetype)
    items = replay(conv, scorer)
    sev = cfg.severities
    outcome = conv.outcome or "unfinished"

    # ---- penalties per dimension (each rule once per message)
    pen: dict[str, float] = {d: 0.0 for d in cfg.dimensions}
    rule_hits: dict[str, list[tuple[int, object, ReplyResult, object]]] = {}
    for turn, (i, m, res, _r) in enumerate(items):
        for rid in res.rules:
            hit = next(h for h in res.hits if h.rule == rid)
            dim = rub.dimension_of(hit.category)
            pen[dim] = pen.get(dim, 0.0) + (sev[hit.severity].chat if hit.severity in sev else 0.0)
            rule_hits.setdefault(rid, []).append((turn, m, res, hit))

    said = bool(items)
    dims: dict[str, dict] = {}

    def dim(name: str, score: float, notes: list[str]) -> None:
        title, weight = cfg.dimensions.get(name, (name, 0.0))
        dims[name] = {"title": title, "score": _clamp(score), "weight": weight, "notes": notes}

    polite_ids = {s.id for s in rub.strengths if s.politeness}
    plain = sum(1 for _i, _m, res, _r in items if not any(s.id in polite_ids for s in res.strengths))
    share = cfg.polite_share_penalty * plain / len(items) if items else 0.0
    pnotes = [f"{plain}条回复没有任何礼貌用语(您/亲、语气词、表情、问候、感谢)"] if plain else []
    dim("politeness", 100 - pen.get("politeness", 0) - share if said else 0, pnotes if said else ["没有回复"])
    dim("taboo", 100 - pen.get("taboo", 0) if said else 0, [] if said else ["没有回复"])

    # ---- timing
    timing = _timing(conv, items, cfg)
    tnotes = []
    unanswered = timing["unanswered"]
    if unanswered:
        tnotes.append(str(cfg.timing.get("unanswered_why", "")))
    elif timing["pending"] is not None:
        tnotes.append(str(cfg.timing.get("pending_why", "")).replace("{seconds}", f"{timing['pending']:.0f}"))
    left = unanswered or timing["pending"] is not None
    t_score = 100 - pen.get("timing", 0) - (float(cfg.timing.get("unanswered_penalty", 30)) if left else 0)
    dim("timing", t_score if said else 0, tnotes if said else ["没有回复"])

    # ---- reception flow
    tr = conv.transcript
    # The buyer ended the chat (paid and left, 已付款): the stages after where it got to were theirs to skip.
    buyer_ended = conv.outcome == "success" and bool(tr) and tr[-1].who == "buyer"
    stages = _stages(flow, items, cfg, buyer_ended)
    f_score = stages["coverage"] - flow.order_penalty * len(stages["out_of_order"]) - pen.get("flow", 0)
    dim("flow", f_score if said else 0, [f"缺少: {t}" for t in stages["missing_titles"]]
        + [f"顺序颠倒: {t}" for t in stages["out_of_order_titles"]])

    # ---- closing
    closing = _closing(conv, items, cfg, flow.name, pen.get("closing", 0))
    dim("closing", closing.pop("score"), closing.pop("notes"))

    weights = {k: cfg.dimensions[k][1] for k in dims if k in cfg.dimensions}
    wsum = sum(weights.values()) or 1.0
    total = sum(dims[k]["score"] * w for k, w in weights.items()) / wsum
    caps = []
    for cap in cfg.caps:
        hit = False
        if cap.outcome is not None:
            hit = outcome == cap.outcome
        elif cap.rule is not None:
            hit = cap.rule in rule_hits
        elif cap.category is not None:
            hit = any(h.category == cap.category and (cap.severity is None or h.severity == cap.severity)
                      for lst in rule_hits.values() for *_x, h in lst)
        if hit:
            caps.append({"max": cap.max, "why": cap.why, "applied": total > cap.max})
            total = min(total, cap.max)
    total = _clamp(total)
    grade = cfg.grade(total)

    return ChatReport(
        persona=persona.id, flow=flow.name, outcome=outcome, total=total, grade=grade.grade,
        grade_label=grade.label, dimensions=dims, caps=caps,
        improvements=_improvements(rub, cfg, flow, items, rule_hits, stages, unanswered, persona,
                                   pending=timing["pending"]),
        stages=stages, closing=closing, timing=timing,
        messages=[{"turn": t + 1, "time": round(m.time, 2), **res.to_dict()} for t, (_i, m, res, _r) in enumerate(items)],
    )


def _away(conv, state) -> bool:
    st = conv.persona.states.get(state)
    return bool(getattr(st, "away", False))


def _timing(conv, items, cfg) -> dict:
    """Waits as the engine measured them (Message.wait, what the window shows); a message left for an
    offline buyer is not a timed reply, and her coming back later is not a buyer left unanswered."""
    waits = []
    first = None
    tr = conv.transcript
    for i, m, res, _r in items:
        if is_left_message(m) or not is_reply(tr, i):
            continue
        w = round(float(m.wait), 1)
        waits.append(w)
        if m.first:
            first = w
    limit = float(cfg.timing.get("reply", 20))
    # The buyer gave up waiting: a patience timeout in a state where she was online and waiting.
    timed_out = any(t == "timeout" and not _away(conv, src) for _t, t, src, _d in conv.history) or (
        conv.outcome_reason == "timeout" and not _away(conv, conv.state))
    # The chat ended (not by the buyer) with her last line unanswered: that wait counts too.
    pending = None
    if conv.outcome is None and tr and tr[-1].who == "buyer" and not _away(conv, conv.state):
        since = next((m.time for m in reversed(tr) if m.who == "agent"), None)
        first_open = next((m.time for m in tr if m.who == "buyer" and (since is None or m.time > since)), None)
        if first_open is not None:
            pending = round(max(0.0, conv.clock.now() - first_open), 1)
            if pending > limit:
                waits.append(pending)
            else:
                pending = None
    return {
        "first_reply": first, "golden": first is not None and first <= float(cfg.timing.get("golden", 6)),
        "max_wait": max(waits) if waits else None,
        "mean_wait": round(sum(waits) / len(waits), 1) if waits else None,
        "slow_replies": sum(1 for w in waits if w > limit), "nudges": int(conv.vars.get("nudges", 0)),
        "unanswered": bool(timed_out), "pending": pending,
    }


def _stages(flow, items, cfg, buyer_ended: bool = False) -> dict:
    order = [s.stage for s in flow.stages]
    by_intent: dict[str, list[int]] = {}
    for idx, s in enumerate(flow.stages):
        for it in s.intents:
            by_intent.setdefault(it, []).append(idx)
    cur = -1
    first_turn: dict[str, int] = {}
    out_of_order: list[str] = []
    for turn, (_i, _m, res, _r) in enumerate(items):
        chosen = set()
        # a lecture or an insult that happens to answer ("网上买东西都是先付款的,这有什么好担心的")
        # does no stage's work
        if any(h.category in cfg.tone and h.severity in cfg.severities and cfg.severities[h.severity].voids_stage
               for h in getattr(res, "hits", ())):
            continue
        for name in res.intents:
            # the opening stage is what the first reply does ("第一句就要热情问候"): an apology at the
            # end of the chat is no greeting; the closing stage is what the last replies do: a thank-you
            # mid-chat is no farewell
            idxs = [x for x in by_intent.get(name, ())
                    if not (x == 0 and turn > 0) and not (x == len(order) - 1 and turn < len(items) - 2)]
            if not idxs:
                continue
            later = [x for x in idxs if x >= cur]
            chosen.add(later[0] if later else idxs[-1])
        for x in sorted(chosen):
            st = order[x]
            if st not in first_turn:
                first_turn[st] = turn + 1
                if x < cur and not flow.stages[x].anytime:
                    out_of_order.append(st)
        # a farewell said mid-chat (in a message left for an absent buyer, or before she asks one
        # more thing) ends nothing: what follows it is not out of order
        # nor does a stage the buyer calls up at any time (an objection answered early)
        moved = [x for x in chosen if x != len(order) - 1 and not flow.stages[x].anytime]
        if moved:
            cur = max(cur, max(moved))
    total_w = got_w = 0.0
    missing = []
    skipped = []
    for alts in flow.required:
        if buyer_ended and not any(a in first_turn for a in alts) and \
                all(a in order and order.index(a) > cur for a in alts):
            skipped.append("|".join(alts))
            continue
        w = max((flow.stage(a).weight for a in alts if flow.stage(a)), default=0.0)
        total_w += w
        if any(a in first_turn for a in alts):
            got_w += w
        else:
            missing.append("|".join(alts))
    coverage = 100.0 * got_w / total_w if total_w else 100.0
    return {
        "flow": flow.name, "flow_title": flow.title,
        "covered": [{"stage": s, "title": cfg.stages.get(s, s), "turn": first_turn[s]}
                    for s in order if s in first_turn],
        "missing": missing, "out_of_order": out_of_order, "skipped_by_buyer": skipped,
        "missing_titles": ["/".join(cfg.stages.get(a, a) for a in m.split("|")) for m in missing],
        "out_of_order_titles": [cfg.stages.get(s, s) for s in out_of_order],
        "sequence": [s for s, _t in sorted(first_turn.items(), key=lambda kv: (kv[1], order.index(kv[0])))],
        "coverage": round(coverage, 1),
    }


def _closing(conv, items, cfg, flow: str, penalty: float) -> dict:
    c = cfg.closing
    persona = conv.persona
    outcome = conv.outcome or "unfinished"
    base = float(c.get("outcome", {}).get(outcome, 0.0))
    notes = [OUTCOME_TITLES.get(outcome, outcome)]
    gift = None
    free_shipping = False
    for _i, _m, _res, reading in items:
        if reading is None:
            continue
        if reading.facts.gift and reading.has("offer_gift") and gift in (None, "礼品"):  # a named gift over a bare 礼品
            gift = _shop_gift_name(persona, reading.facts.gift, getattr(reading, "text", ""))
        if reading.facts.free_shipping and reading.has("offer_free_shipping"):
            free_shipping = True
    # ...as the buyer heard it: a threshold told for a smaller order gave nothing (the engine's own count)
    offered_free = free_shipping
    if free_shipping and isinstance(getattr(conv, "vars", None), dict) and "free_shipping" in conv.vars:
        free_shipping = bool(conv.vars["free_shipping"])
    out: dict = {"outcome": outcome, "outcome_title": OUTCOME_TITLES.get(outcome, outcome), "kind": flow,
                 "gift": gift, "free_shipping": free_shipping}
    score = base - penalty
    intents = {n for _i, _m, res, _r in items for n in res.intents}
    if flow == "after_sales":
        settled = outcome == "success"
        # A persona that raises these flags says what the buyer took (refunded, exchanged,
        # compensated); without such a flag, what was offered counts. A buyer who took the exchange
        # cost no refund, whatever else she was offered.
        raised = {f for st in getattr(persona, "states", {}).values() for ts in st.on.values() for t in ts
                  for f in t.flags}

        # a persona that tells an offer from its taking (refund_offered, resend_promised) decides alone
        family = {"refunded": {"refund_offered"}, "exchanged": {"resend_promised"}}

        def took(flag: str, intent: str) -> bool:
            told = raised & ({flag} | family.get(flag, set()))
            return settled and (flag in conv.flags or (not told and intent in intents))

        # a resend promised for the worst case (万一丢件就补发) is no exchange made and costs nothing yet
        promised = settled and "resend_promised" in conv.flags
        exchanged = took("exchanged", "offer_exchange")
        refunded = took("refunded", "offer_refund") and ("refunded" in conv.flags or "exchanged" not in conv.flags)
        compensated = took("compensated", "offer_compensation")
        # postage offered with a worst-case resend is that resend's postage: not spent yet either
        freight = float(persona.vars.get("freight", 0.0)) if exchanged or (
            settled and "cover_shipping" in intents and not promised) else 0.0
        comp_amount = 0.0
        if compensated:
            # the amount given back (补偿您15元红包), not any price the reply mentions; an offer said
            # again ("10元红包已经给您备注了") is the same money, so the largest amount counts, not the sum
            for _i, _m, res, reading in items:
                if reading is not None and reading.has("offer_compensation"):
                    amount = (getattr(reading.facts, "compensation", None)
                              or (min(reading.facts.prices) if reading.facts.prices else 0.0)
                              or reading.facts.reduction or 0.0)
                    comp_amount = max(comp_amount, amount)
        refund_amount = float(persona.list_price) if refunded else 0.0
        if refunded:
            score -= float(c.get("refund_penalty", 10))
            notes.append("退款")
        if compensated:
            score -= float(c.get("compensation_penalty", 5))
            notes.append("补偿")
        out.update(settled=settled, exchange=exchanged, refund=refunded, compensation=compensated,
                   resend_promised=promised and not exchanged,
                   cost={"freight": freight, "refund": refund_amount, "compensation": comp_amount,
                         "total": round(freight + refund_amount + comp_amount, 2)})
    else:
        lp, fp = float(persona.list_price), float(persona.floor_price)
        steps = []
        prev = lp
        for turn, (_i, _m, res, _r) in enumerate(items):
            if res.offer is not None and res.offer < prev:
                steps.append({"turn": turn + 1, "price": res.offer, "step": round(prev - res.offer, 2)})
                prev = res.offer
        final = prev
        # The order's sum when it is more than one item at the final price: a total the agent stated
        # ("两个一起217元"), else the final price times the quantity the chat settled on.
        total = None
        for _i, _m, _res, reading in items:
            if reading is not None and getattr(reading.facts, "total", None):
                total = float(reading.facts.total)
        qty = int(conv.vars.get("quantity") or 1)
        if total is None and qty > 1:
            total = round(final * qty, 2)
        if total is not None and total <= final:
            total = None
        out.update(list_price=lp, floor_price=fp, final_price=final, concessions=len(steps), steps=steps,
                   below_floor=final < fp, discount=round(lp - final, 2), order_total=total)
        threshold = float(conv.vars.get("shipping_threshold") or 0)
        if offered_free and threshold and total is not None and total >= threshold:
            out["free_shipping"] = True  # the order reached the threshold told
        if steps and outcome == "success" and lp > fp:
            depth = min(1.0, (lp - final) / (lp - fp))
            score -= float(c.get("depth_penalty", 20)) * depth
        extra = len(steps) - int(c.get("max_concessions", 3))
        if extra > 0:
            score -= extra * float(c.get("extra_concession_penalty", 5))
            notes.append(f"让价次数过多({len(steps)}次)")
        upsell = _upsell(conv, items, c)
        out["upsell"] = upsell
        if upsell and outcome == "success":
            score += float(c.get("upsell_bonus", 5))
    out["score"] = _clamp(score)
    out["notes"] = notes
    return out


def _upsell(conv, items, c) -> str | None:
    """The first reply that recommends another product of the shop (关联销售)."""
    shop, own = conv.persona.shop, conv.persona.product
    # a product the shop gives away (园艺三件套 as the per-order gift) is no add-on sale when named
    gifts = {compact_phrase(g.name) for g in (shop.policies.gifts or ())}
    names = [n for n in (compact_phrase(p.name) for p in shop.products.values() if p.sku != own.sku and p.name)
             if n not in gifts]
    phrases = tuple(c.get("upsell_phrases", ()))
    for _i, m, res, _r in items:
        cm = compact_phrase(m.text)
        if any(n and n in cm for n in names):
            return m.text
        if "recommend" in res.intents and any(p and p in cm for p in phrases):
            return m.text
    return None


def _improvements(rub, cfg, flow, items, rule_hits, stages, unanswered, persona=None,
                  pending=None) -> list[Improvement]:
    sev = cfg.severities
    cands: list[tuple[float, int, Improvement]] = []
    for rid, lst in rule_hits.items():
        turn, m, res, hit = lst[0]
        rule = rub.rule(rid)  # None for a situation's move or fault (rules/situations.yaml)
        weight = sev[hit.severity].chat if hit.severity in sev else 0.0
        quote = _quote(m.text, hit.start, hit.end) if hit.end > hit.start else _quote(m.text, 0, len(m.text))
        # The judge's suggestion is checked clean (never the fault it fixes); else the model sentence.
        rewrite = res.rewrite if res.rewrite and rule is not None and not rule.wordless else hit.suggestion
        if rewrite == m.text or not rewrite:
            rewrite = hit.suggestion if hit.suggestion != m.text else (rule.rewrite if rule else "")
        imp = Improvement("rule", rid, hit.title, rub.category_title(hit.category), hit.why, quote,
                          cut(rewrite, LONG_CHARS), turn + 1, len(lst))
        cands.append((weight * min(len(lst), 3), turn, imp))
    texts = [m.text for _i, m, _res, _r in items]
    major = sev["major"].chat if "major" in sev else 15.0
    ctx = _shop_context(persona)
    for alts in stages["missing"]:
        st = flow.stage(alts.split("|")[0])
        if st is None:
            continue
        title = "/".join(cfg.stages.get(a, a) for a in alts.split("|"))
        # The missing stage is a message of its own, sent before the first reply or after the last:
        # the model sentence alone, never glued to the trainee's words.
        if texts:
            text = texts[0] if st.place == "before" else texts[-1]
            quote = _quote(text, 0 if st.place == "before" else len(text) - 1, len(text))
        else:
            quote = ""
        why = cfg.missing_stage_why.replace("{stage}", title)
        imp = Improvement("stage", st.stage, f"缺少环节: {title}", rub.category_title("flow"), why,
                          quote, fill(st.model, ctx), None)
        cands.append((major * st.weight / 25.0, 10 ** 6, imp))
    if unanswered:
        quote = _quote(texts[-1], 0, 0) if texts else ""
        imp = Improvement("timing", "unanswered", str(cfg.timing.get("unanswered_title", "")),
                          rub.category_title("timing"),
                          str(cfg.timing.get("unanswered_why", "")), quote,
                          str(cfg.timing.get("unanswered_rewrite", "")), None)
        cands.append((float(cfg.timing.get("unanswered_penalty", 30)), 10 ** 6, imp))
    elif pending is not None:
        imp = Improvement("timing", "pending", str(cfg.timing.get("pending_title", "")),
                          rub.category_title("timing"),
                          str(cfg.timing.get("pending_why", "")).replace("{seconds}", f"{pending:.0f}"), "",
                          str(cfg.timing.get("unanswered_rewrite", "")), None)
        cands.append((float(cfg.timing.get("unanswered_penalty", 30)), 10 ** 6, imp))
    cands.sort(key=lambda c: (-c[0], c[1]))
    # one weak line with one fix is one tip, however many rules it broke: the next tip takes the place
    out: list[Improvement] = []
    for _w, _t, imp in cands:
        if any(o.quote == imp.quote and o.rewrite == imp.rewrite for o in out):
            continue
        out.append(imp)
    return out[:3]


def _shop_context(persona) -> ReplyContext | None:
    """The shop facts a model sentence may name ({colors|…}, {cutoff|…})."""
    try:
        nums, lists = shop_facts(persona)
    except (AttributeError, TypeError, ValueError):
        return None
    return ReplyContext(vars=nums, lists=lists)


def format_report(rep: ChatReport) -> str:
    """A short Chinese summary for the terminal."""
    lines = [f"—— 评分报告 ——  总分 {rep.total:.0f} ({rep.grade} {rep.grade_label})"]
    for cap in rep.caps:
        if cap["applied"]:
            lines.append(f"  封顶 {cap['max']:.0f} 分: {cap['why']}")
    lines.append("  " + " | ".join(f"{d['title']} {d['score']:.0f}" for d in rep.dimensions.values()))
    st = rep.stages
    flow_line = " → ".join(f"{c['title']}✓" for c in st["covered"])
    lines.append(f"  接待流程({st['flow_title']}): {flow_line or '无'}"
                 + (f"; 缺少 {'、'.join(st['missing_titles'])}" if st["missing"] else "")
                 + (f"; 顺序颠倒 {'、'.join(st['out_of_order_titles'])}" if st["out_of_order"] else ""))
    cl = rep.closing
    if cl.get("kind") == "after_sales":
        cost = cl.get("cost", {})
        took = "、".join(t for k, t in (("exchange", "换货"), ("refund", "退款"), ("compensation", "补偿"),
                                         ("resend_promised", "承诺丢件补发"))
                        if cl.get(k))
        lines.append(f"  结果: {cl['outcome_title']}; 售后{'已解决' if cl.get('settled') else '未解决'}"
                     + (f"({took})" if cl.get("settled") and took else "")
                     + f"; 店铺成本 {cost.get('total', 0):.0f} 元 (运费 {cost.get('freight', 0):.0f}, "
                     f"退款 {cost.get('refund', 0):.0f}, 补偿 {cost.get('compensation', 0):.0f})")
    else:
        steps = ", ".join(f"{s['step']:g}元" for s in cl.get("steps", []))
        extra = []
        if cl.get("gift"):
            extra.append(f"赠品: {cl['gift']}")
        if cl.get("free_shipping"):
            extra.append("包邮")
        if cl.get("upsell"):
            extra.append("做了关联推荐")
        # a chat that ended without a sale has no deal price or order sum, only the last price offered
        sold = cl.get("outcome") == "success"
        if sold and cl.get("order_total"):
            extra.insert(0, f"订单合计 {cl['order_total']:g} 元")
        price = (f"成交价 {cl.get('final_price', 0):g} 元" if sold else
                 f"未成交, 最后报价 {cl.get('final_price', 0):g} 元")
        lines.append(f"  结果: {cl['outcome_title']}; {price} (标价 "
                     f"{cl.get('list_price', 0):g}, 底价 {cl.get('floor_price', 0):g}); 让价 {cl.get('concessions', 0)} 次"
                     + (f": {steps}" if steps else "") + ("; " + ", ".join(extra) if extra else ""))
    if rep.improvements:
        lines.append("  改进建议:")
        for n, imp in enumerate(rep.improvements, 1):
            quote = f"“{imp.quote}”" if imp.quote else "(没有回复)"
            lines.append(f"   {n}. [{imp.category}] {imp.title}: {quote}")
            lines.append(f"      → {imp.rewrite}")
            lines.append(f"      原因: {imp.why}")
    return "\n".join(lines)
