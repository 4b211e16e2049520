"""Why a chat did not convert, in the words of seed 002 (客服培训: 查看询单没有拿下的聊天记录).

"是产品不熟,还是反应不灵敏,还是跟客服介绍产品不够生动,或者是不能很好的解决的异议,或者是客服态度生硬"
Each cause is derived from what the store keeps: reply waits and the buyer's nudges, the trainee's
intents, the buyer's confused or repeated lines, the scorer's feedback categories, the state changes
and the outcome. Without a scorer the text-only signals still work.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .db import Session, StoredMessage, StoredTransition
from .jsonable import feedback_items

CAUSES: dict[str, tuple[str, str]] = {
    "facts": ("产品不熟",
              "先熟悉商品详情页和店铺政策(价格、库存、尺码、发货、退换),回答前核对商品卡片;"
              "不确定时说“亲,您稍等,我帮您确认一下”,不要说“不知道”,更不能说错。"),
    "slow": ("反应不灵敏",
             "首次回复不超过15秒(黄金6秒),之后每次不超过20秒;来不及详细回答时先回"
             "“亲,您稍等,我帮您查询下”,再尽快答复。"),
    "flat": ("介绍产品不够生动",
             "讲出卖点和使用感受:材质、做工、适合谁、其他顾客的评价,配合表情;"
             "不要只回“有的”“嗯”,也不要反复发同一句话。"),
    "objection": ("异议没有解决",
                  "先认同买家的顾虑,再讲价值或给出方案(赠品、包邮、请示店长、换货),"
                  "确认买家满意后再推进下单;不要只说不能。"),
    "attitude": ("态度生硬",
                 "称呼“亲/您”,多用“哦、呢、呀”和表情;拒绝时先说“非常抱歉”,再给替代方案;"
                 "不质问、不争辩、不命令、不推卸责任。"),
}
ORDER = tuple(CAUSES)

_UNSURE = re.compile(r"不知道|不清楚|不太清楚|不确定|不了解|找不到人问|我也不懂|没听说")
_BARE_REFUSAL = re.compile(r"^\s*(不行|不能|没有|没办法|不可以|不卖|不包邮)[,,。.!!]*\s*$")
_POLITE = re.compile(r"亲|您|谢谢|感谢|抱歉|不好意思|/:")
_DESCRIBE = {"introduce_product", "recommend", "assure_quality", "justify_price"}
_ANSWER = {"justify_price", "empathize", "apologize", "offer_gift", "offer_free_shipping", "offer_discount",
           "escalate", "wait_moment", "offer_exchange", "offer_refund", "offer_compensation", "cover_shipping",
           "assure_quality"}
_SHORT_OK = {"greet", "thank", "farewell", "wait_moment", "confirm_order", "rude", "blame_shift"}
_ATTITUDE_CATS = {"politeness": 1.0, "forbidden": 1.0, "taboo": 1.0, "insult": 2.0, "blame_shifting": 1.5,
                  "absolute_promise": 0.5}
_SEVERITY = {"minor": 0.5, "major": 1.0, "severe": 2.0}
OUTCOME_ZH = {"success": "成交", "lost": "流失", "bad_review": "差评", "escalated": "投诉升级"}


@dataclass
class Cause:
    code: str
    weight: float = 0.0
    evidence: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return CAUSES[self.code][0]

    @property
    def advice(self) -> str:
        return CAUSES[self.code][1]

    def to_dict(self) -> dict:
        return {"code": self.code, "title": self.title, "weight": round(self.weight, 2),
                "evidence": list(self.evidence), "advice": self.advice}


@dataclass
class Diagnosis:
    converted: bool
    status: str
    causes: list[Cause]   # strongest first; only causes with evidence
    summary: str

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.causes]

    def to_dict(self) -> dict:
        return {"converted": self.converted, "status": self.status, "summary": self.summary,
                "causes": [c.to_dict() for c in self.causes]}


def _q(text: str, n: int = 24) -> str:
    text = " ".join(text.split())
    return "“" + (text if len(text) <= n else text[:n] + "…") + "”"


def _mmss(t: float) -> str:
    t = int(round(t))
    return f"{t // 60:02d}:{t % 60:02d}"


def diagnose(session: Session, messages: list[StoredMessage], transitions: list[StoredTransition],
             intent_titles: dict[str, str] | None = None) -> Diagnosis:
    """Name the likely causes of a chat's result; meant for chats that did not convert."""
    it = intent_titles or {}
    c = {k: Cause(k) for k in ORDER}
    info = session.info or {}
    first_limit = float(info.get("first_reply") or 15.0)
    reply_limit = float(info.get("reply") or 20.0)
    agent = [m for m in messages if m.who == "agent"]
    buyer = [m for m in messages if m.who == "buyer"]
    intents = {i for m in agent for i in m.intents}

    def over(m) -> bool:
        return m.wait > (first_limit if m.first else reply_limit)

    # --- the scorer's feedback, when there was a scorer
    for m in agent:
        for f in feedback_items(m.feedback):
            cat, sev = f["category"], _SEVERITY.get(f["severity"], 1.0)
            line = (f"{_mmss(m.time)} {_q(m.text)}: {f['title'] or f['why'] or cat}"
                    + (f" → {_q(f['rewrite'], 40)}" if f["rewrite"] else ""))
            if cat == "facts":
                c["facts"].weight += 1.0 + sev
                c["facts"].evidence.append(line)
            elif cat == "timing":
                c["slow"].weight += 0.5 * sev
                if not over(m):  # a late reply is named below with its seconds
                    c["slow"].evidence.append(line)
            elif cat == "repetition":
                c["flat"].weight += 1.0
                c["flat"].evidence.append(line)
            elif cat in _ATTITUDE_CATS:
                c["attitude"].weight += _ATTITUDE_CATS[cat] * sev
                c["attitude"].evidence.append(line)
            elif cat == "flow":
                c["objection"].weight += 0.3 * sev

    # --- facts: the trainee did not know
    for m in agent:
        if _UNSURE.search(m.text):
            c["facts"].weight += 1.5
            c["facts"].evidence.append(f"{_mmss(m.time)} 回答 {_q(m.text)},说明对商品或政策不熟")

    # --- slow replies, nudges, giving up
    for m in agent:
        limit = first_limit if m.first else reply_limit
        if over(m):
            c["slow"].weight += 1.0 + min(2.0, (m.wait - limit) / limit)
            c["slow"].evidence.append(f"{_mmss(m.time)} {'首次' if m.first else ''}回复让买家等了 {m.wait:.0f} 秒"
                                      f"(上限 {limit:.0f} 秒)")
    nudges = [m for m in buyer if m.kind == "nudge"]
    if nudges:
        c["slow"].weight += len(nudges)
        c["slow"].evidence.append(f"买家催促了 {len(nudges)} 次({_q(nudges[0].text, 10)})")
    timeout = session.reason == "timeout" or any(t.trigger == "timeout" for t in transitions)
    if timeout:
        c["slow"].weight += 3
        c["slow"].evidence.append("买家等不到回复,离开了")
    elif session.status == "finished" and not agent and session.outcome != "success":
        c["slow"].weight += 3
        c["slow"].evidence.append("一直没有回复买家")

    # --- flat descriptions
    if info.get("kind", "sale") == "sale" and agent and not intents & _DESCRIBE:
        c["flat"].weight += 1.5
        c["flat"].evidence.append("整段对话没有介绍商品的卖点、质量或价值")
    for m in agent:
        if len(m.text.strip()) <= 4 and not set(m.intents) & _SHORT_OK and not _UNSURE.search(m.text):
            c["flat"].weight += 0.7
            c["flat"].evidence.append(f"{_mmss(m.time)} 只回了 {_q(m.text)}")
    confused = [m for m in buyer if m.kind == "confused"]
    if confused:
        c["flat"].weight += len(confused)
        c["flat"].evidence.append(f"买家 {len(confused)} 次没看懂回复({_q(confused[0].text, 12)})")

    # --- objections left unanswered
    repeats = [m for m in buyer if m.kind == "repeat"]
    for m in repeats:
        c["objection"].weight += 1.5
        c["objection"].evidence.append(f"{_mmss(m.time)} 买家把问题又问了一遍: {_q(m.text)}")
    refused = intents & {"refuse", "refuse_discount"}
    if refused and not intents & _ANSWER - {"offer_discount"}:
        c["objection"].weight += 1.5
        c["objection"].evidence.append("只拒绝了买家的要求,没有讲理由,也没有给出其他方案")
    ending = transitions[-1] if transitions else None
    if (session.outcome in ("lost", "escalated") and ending is not None and not timeout
            and ending.dst == session.state and ending.trigger not in ("rude", "mood_low", "unknown")):
        last = [m for m in agent if m.time <= ending.time + 1e-6]
        said = f"你回复{_q(last[-1].text)}({it.get(ending.trigger, ending.trigger)})" if last else "你的回复"
        c["objection"].weight += 1.5
        c["objection"].evidence.append(f"{_mmss(ending.time)} 买家听到{said}后"
                                       f"{'离开' if session.outcome == 'lost' else '投诉升级'},顾虑没有打消")

    # --- a stiff attitude (text signals, when the scorer did not already say so)
    if not any(feedback_items(m.feedback) for m in agent):
        for m in agent:
            if set(m.intents) & {"rude", "blame_shift"}:
                c["attitude"].weight += 2
                c["attitude"].evidence.append(f"{_mmss(m.time)} {_q(m.text)} 让买家不快")
            elif _BARE_REFUSAL.match(m.text):
                c["attitude"].weight += 1
                c["attitude"].evidence.append(f"{_mmss(m.time)} 生硬地拒绝: {_q(m.text)}")
        if len(agent) >= 2 and not any(_POLITE.search(m.text) for m in agent):
            c["attitude"].weight += 1
            c["attitude"].evidence.append("没有一次称呼“亲”或“您”,也没有礼貌用语")
    if any(t.trigger == "mood_low" for t in transitions):
        c["attitude"].weight += 1
        c["attitude"].evidence.append("买家被惹恼了(心情跌到底线)")
    if session.outcome in ("bad_review", "escalated"):
        c["attitude"].weight += 1.5
        c["attitude"].evidence.append(f"结果是{OUTCOME_ZH[session.outcome]}")

    causes = sorted((x for x in c.values() if x.evidence and x.weight > 0),
                    key=lambda x: (-x.weight, ORDER.index(x.code)))
    converted = session.outcome == "success"
    if session.status == "interrupted":
        head = "会话中断,没有结果。"
    elif session.status == "live":
        head = "会话进行中。"
    elif converted:
        head = "已成交。"
    else:
        head = f"未成交({OUTCOME_ZH.get(session.outcome or '', session.outcome)})。"
    if causes:
        head += "主要原因: " + "、".join(x.title for x in causes[:3]) + "。"
    elif not converted and session.status == "finished":
        head += "记录中没有明显的原因,请逐条查看对话。"
    return Diagnosis(converted, session.status, causes, head)


def diagnose_session(store, session_id: int, intent_titles: dict[str, str] | None = None) -> Diagnosis | None:
    s = store.session(session_id)
    if s is None:
        return None
    return diagnose(s, store.messages(session_id), store.transitions(session_id), intent_titles)
