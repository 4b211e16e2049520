"""Why a chat did not convert, in the words of seed 002 (客服培训: 查看询单没有拿下的聊天记录).

"是产品不熟,还是反应不灵敏,还是跟客服介绍产品不够生动,或者是不能很好的解决的异议,或者是客服态度生硬"
Each cause is derived from what the store keeps: reply waits and the buyer's nudges, the trainee's
intents, the buyer's confused or repeated lines, the scorer's feedback categories, the state changes
and the outcome. Without a scorer the text-only signals still work.

The causes' titles and advice, the intent groups, which scorer categories and rules point at which
cause, and the fallback words for unjudged replies are data in scenarios/rules/diagnosis.yaml
(Library.diagnosis; the shipped file by default). Fallback words are matched on the compact text, so
spacing, punctuation and traditional characters do not matter.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from game.content.diagnostics import Report, unknown
from game.content.schema import Shape, found_name, is_type
from game.content.yamlpos import PosDict
from game.language.normalize import compact_phrase, prepare

from .db import Session, StoredMessage, StoredTransition
from .jsonable import feedback_items

log = logging.getLogger(__name__)

# The causes the diagnosis computes, in the order ties are broken. Their titles and advice, the intent
# groups, the scorer's categories and the fallback words are data: scenarios/rules/diagnosis.yaml.
CODES = ("facts", "slow", "flat", "objection", "attitude")
ORDER = CODES
INTENT_GROUPS = ("describe", "answer", "refuse", "rude", "short_ok")
WORD_GROUPS = ("unsure", "bare_refusal", "polite")
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "scenarios" / "rules" / "diagnosis.yaml"


@dataclass(frozen=True)
class Signal:
    """What one kind of scorer fault adds to a cause: base + scale × severity weight."""
    cause: str
    base: float = 0.0
    scale: float = 0.0
    evidence: bool = True


@dataclass
class DiagnosisRules:
    """rules/diagnosis.yaml, read: what is left out (missing or broken) simply gives no signal."""
    causes: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (title, advice)
    severity: dict[str, float] = field(default_factory=dict)
    categories: dict[str, Signal] = field(default_factory=dict)
    rules: dict[str, Signal] = field(default_factory=dict)
    intents: dict[str, frozenset] = field(default_factory=dict)
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # compact forms
    short_reply: int = 4
    emoticon_is_polite: bool = False

    def title(self, code: str) -> str:
        return self.causes.get(code, (code, ""))[0]

    def advice(self, code: str) -> str:
        return self.causes.get(code, (code, ""))[1]

    def group(self, name: str) -> frozenset:
        return self.intents.get(name, frozenset())


def check_diagnosis_rules(d, report: Report, intents=None, categories=None, rule_ids=None,
                          severities=None) -> DiagnosisRules:
    """Read a loaded rules/diagnosis.yaml into DiagnosisRules, every problem in `report` with its position.

    `intents`, `categories`, `rule_ids` and `severities` are the names the content library knows
    (None: not checked)."""
    sh = Shape(report)
    out = DiagnosisRules()
    sh.keys(d, "the diagnosis file", {"version": None, "causes": dict, "severity": dict, "feedback": dict,
                                      "intents": dict, "fallback": dict}, required=("causes",))
    sh.version(d)
    causes = d.get("causes")
    if isinstance(causes, PosDict):
        suggested = set()
        for code, spec in causes.items():
            where = f"cause '{code}'"
            if code not in CODES:
                msg, hint = unknown("cause", code, CODES)
                report.error(causes.key_mark(code), msg, hint)
                suggested.add(hint.split("'")[1] if hint.startswith("did you mean") else "")
                continue
            if not sh.mapping(spec, causes.value_mark(code), where):
                continue
            if sh.keys(spec, where, {"title": str, "advice": str}, required=("title", "advice")) \
                    and all(isinstance(spec.get(k), str) and spec[k].strip() for k in ("title", "advice")):
                out.causes[code] = (spec["title"].strip(), " ".join(spec["advice"].split()))
            elif all(k in spec for k in ("title", "advice")):
                report.error(spec.mark, f"{where} needs a title and advice that are not empty")
        for code in CODES:
            if code not in causes and code not in suggested:  # a misspelt cause was reported already
                report.error(causes.mark, f"the cause '{code}' is missing", "every one of " + ", ".join(CODES)
                             + " needs a title and advice")
    sev = d.get("severity")
    if isinstance(sev, PosDict):
        for name in sev:
            if severities is not None and name not in severities:
                report.error(sev.key_mark(name), *unknown("severity", name, severities))
                continue
            if not is_type(sev[name], float) or sev[name] < 0:
                report.error(sev.value_mark(name), f"severity '{name}' must be a number of at least 0, "
                             f"not {found_name(sev[name])}")
                continue
            out.severity[str(name)] = float(sev[name])
    fb = d.get("feedback")
    if isinstance(fb, PosDict):
        sh.keys(fb, "'feedback'", {"categories": dict, "rules": dict})
        for key, known, kind in (("categories", categories, "category"), ("rules", rule_ids, "rubric rule")):
            m = fb.get(key)
            if not isinstance(m, PosDict):
                continue
            target = out.categories if key == "categories" else out.rules
            for name, spec in m.items():
                where = f"{kind} '{name}' in 'feedback'"
                if known is not None and name not in known:
                    report.error(m.key_mark(name), *unknown(kind, name, known))
                    continue
                if not sh.mapping(spec, m.value_mark(name), where):
                    continue
                if not sh.keys(spec, where, {"cause": str, "base": float, "scale": float, "evidence": bool},
                               required=("cause",)) or "cause" not in spec:
                    continue
                if spec["cause"] not in CODES:
                    report.error(spec.value_mark("cause"), *unknown("cause", spec["cause"], CODES))
                    continue
                target[str(name)] = Signal(spec["cause"], float(sh.number(spec, "base", where, lo=0, default=0)),
                                           float(sh.number(spec, "scale", where, lo=0, default=0)),
                                           bool(spec.get("evidence", True)))
    groups = d.get("intents")
    if isinstance(groups, PosDict):
        sh.keys(groups, "'intents'", {g: list for g in INTENT_GROUPS})
        for g in INTENT_GROUPS:
            names = sh.text_list(groups, g, "'intents'", allow_scalar=False)
            v = groups.get(g)
            good = []
            for i, name in enumerate(names):
                if intents is not None and name not in intents:
                    report.error(v.item_mark(i), *unknown("intent", name, intents))
                else:
                    good.append(name)
            out.intents[g] = frozenset(good)
    fbk = d.get("fallback")
    if isinstance(fbk, PosDict):
        sh.keys(fbk, "'fallback'", {"short_reply": int, "emoticon_is_polite": bool,
                                    **{g: list for g in WORD_GROUPS}})
        n = sh.number(fbk, "short_reply", "'fallback'", lo=0, hi=100)
        if n is not None:
            out.short_reply = int(n)
        out.emoticon_is_polite = fbk.get("emoticon_is_polite") is True
        for g in WORD_GROUPS:
            words = sh.text_list(fbk, g, "'fallback'", allow_scalar=False)
            v = fbk.get(g)
            kept = []
            for i, w in enumerate(words):
                c = compact_phrase(w)
                if not c:
                    report.error(v.item_mark(i), f"'{w}' in '{g}' has no letter or digit, so it never matches",
                                 "words are matched without spaces and punctuation")
                else:
                    kept.append(c)
            out.words[g] = tuple(dict.fromkeys(kept))
    return out


_default: DiagnosisRules | None = None
_default_key: tuple | None = None


def default_rules() -> DiagnosisRules:
    """The shipped scenarios/rules/diagnosis.yaml, loaded again when it changes. Never raises: its
    problems are `validate`'s business; a missing or unreadable file names causes by their codes."""
    global _default, _default_key
    try:
        st = os.stat(DEFAULT_PATH)
        key = (st.st_mtime_ns, st.st_size)
    except OSError:
        key = None
    if _default is not None and key == _default_key:
        return _default
    rules = DiagnosisRules()
    if key is not None:
        try:
            from game.content.loader import load_diagnosis
            rules = load_diagnosis(DEFAULT_PATH)[1] or rules
        except Exception:  # a history or an export must come up whatever the file holds (logged)
            log.exception("the shipped diagnosis rules could not be read; using none")
            rules = DiagnosisRules()
    _default, _default_key = rules, key
    return rules


OUTCOME_ZH = {"success": "成交", "lost": "流失", "bad_review": "差评", "escalated": "投诉升级"}


@dataclass
class Cause:
    code: str
    weight: float = 0.0
    evidence: list[str] = field(default_factory=list)
    title: str = ""
    advice: str = ""

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
             intent_titles: dict[str, str] | None = None, rules: DiagnosisRules | None = None) -> Diagnosis:
    """Name the likely causes of a chat's result; meant for chats that did not convert.

    `rules`: the content library's rules/diagnosis.yaml (Library.diagnosis); None means the shipped one."""
    it = intent_titles or {}
    rules = rules or default_rules()
    c = {k: Cause(k, title=rules.title(k), advice=rules.advice(k)) for k in ORDER}
    info = session.info or {}
    first_limit = float(info.get("first_reply") or 15.0)
    reply_limit = float(info.get("reply") or 20.0)
    agent = [m for m in messages if m.who == "agent"]
    buyer = [m for m in messages if m.who == "buyer"]
    intents = {i for m in agent for i in m.intents}
    # Replies the scorer judged are read through its feedback; the word lists are for the others.
    unjudged = [m for m in agent if m.feedback is None]
    prep = {id(m): prepare(m.text) for m in agent}  # normalized and compact views of each reply
    words = rules.words

    def has(m, group: str) -> bool:
        text = prep[id(m)].compact
        return any(w in text for w in words.get(group, ()))

    def over(m) -> bool:
        return m.wait > (first_limit if m.first else reply_limit)

    # --- the scorer's feedback, when there was a scorer
    for m in agent:
        for f in feedback_items(m.feedback):
            cat, sev = f["category"], rules.severity.get(f["severity"], 1.0)
            line = (f"{_mmss(m.time)} {_q(m.text)}: {f['title'] or f['why'] or cat}"
                    + (f" → {_q(f['rewrite'], 40)}" if f["rewrite"] else ""))
            for sig in (rules.categories.get(cat), rules.rules.get(f["rule"])):
                if sig is None:
                    continue
                c[sig.cause].weight += sig.base + sig.scale * sev
                if sig.evidence and not (sig.cause == "slow" and over(m)):  # a late reply is named below
                    c[sig.cause].evidence.append(line)

    # --- facts: the trainee did not know
    for m in unjudged:
        if has(m, "unsure"):
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
    if info.get("kind", "sale") == "sale" and agent and not intents & rules.group("describe"):
        c["flat"].weight += 1.5
        c["flat"].evidence.append("整段对话没有介绍商品的卖点、质量或价值")
    for m in agent:
        if (len(prep[id(m)].text.strip()) <= rules.short_reply and not set(m.intents) & rules.group("short_ok")
                and not has(m, "unsure")):
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
    refused = intents & rules.group("refuse")
    if refused and not intents & rules.group("answer"):
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

    # --- a stiff attitude (text signals, where the scorer did not judge the reply)
    for m in unjudged:
        if set(m.intents) & rules.group("rude"):
            c["attitude"].weight += 2
            c["attitude"].evidence.append(f"{_mmss(m.time)} {_q(m.text)} 让买家不快")
        elif prep[id(m)].compact in words.get("bare_refusal", ()):
            c["attitude"].weight += 1
            c["attitude"].evidence.append(f"{_mmss(m.time)} 生硬地拒绝: {_q(m.text)}")

    def polite(m) -> bool:
        p = prep[id(m)]
        return has(m, "polite") or (rules.emoticon_is_polite and p.analysed != p.text[:len(p.analysed)])

    if len(agent) >= 2 and len(unjudged) == len(agent) and not any(polite(m) for m in agent):
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


def diagnose_session(store, session_id: int, intent_titles: dict[str, str] | None = None,
                     rules: DiagnosisRules | None = None) -> Diagnosis | None:
    s = store.session(session_id)
    if s is None:
        return None
    return diagnose(s, store.messages(session_id), store.transitions(session_id), intent_titles, rules)
