"""Scoring one trainee reply against the rubric: faults with span, why and rewrite; strengths; 0-100.

Everything is compiled in ``Scorer.__init__``; ``score`` prepares the text once (the reader's
normalisation: spacing, symbols, full width and traditional characters never hide a phrase), runs
one phrase scan for all rules, then the few patterns and checks. It never raises on a string.
"""
from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

from game.content import patterns as content_patterns
from game.language.facts import extract_facts, offered_price, parse_chinese_number
from game.language.normalize import PhraseMatcher, Prepared, compact_phrase, prepare

from .model import PLACEHOLDER, SPECIAL_GROUPS, Rubric, Rule
from .situations import check_moves, concrete_details, fault_moves

log = logging.getLogger(__name__)

_NEGATOR_CHARS = ("不", "没", "别", "无法", "未")
_MAX_MATCHES = 16  # per pattern and reply: bounds the work on a pasted essay
_MAX_SPANS = 8  # spans listed per rule and reply
# Longer than this, a reply is segmented only around a short phrase, this many characters each side.
_SEGMENT_CHARS = 400
_WORD_CONTEXT = 16
_LEAD_ADDRESS = re.compile(r"^(?:亲爱的|亲|您好|你好)[,，!！~\s]+")
_SENTENCE_END = "。!?！？;；\n"
_CLAUSE_END = "。!?！？;；,，、~～….…)）】」』\"'"
# Lists of the shop file whose entries are concrete details of an answer.
_FACT_LISTS = ("colors", "sizes", "couriers", "product", "materials", "points")
_FIX_ROUNDS = 3  # a fix may show a new fault ("最低价了" -> "非常抱歉,最低价了" lacks 亲): fix that too
_MAX_REWRITE_CHARS = 300  # beyond this a reply is an essay: model sentences, not a rewrite of it
QUOTE_CHARS = 40  # a quote of the trainee's words in feedback and reports
LONG_CHARS = 200  # a suggestion or rewrite in feedback


def cut(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` when short, else its first ``limit - 1`` characters and "…"."""
    if text is None or len(text) <= limit:
        return text
    return text[:limit - 1] + "…"


def excerpt(text: str, start: int, end: int, limit: int = QUOTE_CHARS) -> str:
    """At most ``limit`` characters of ``text`` around [start, end), with "…" where it was cut."""
    text = text or ""
    if len(text) <= limit:
        return text
    start = max(0, min(start, len(text)))
    lo = max(0, min(start - limit // 4, len(text) - limit))
    hi = lo + limit
    out = text[lo:hi]
    if lo > 0:
        out = "…" + out[1:]
    if hi < len(text):
        out = out[:-1] + "…"
    return out


def is_blank(text: str) -> bool:
    """Nothing a buyer could read: only spaces, line breaks, control and format characters."""
    return not any(not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf", "Zs", "Zl", "Zp", "Cs")
                   for ch in text)


_converter = None


def simplified(text: str) -> str:
    """A rewrite is offered in simplified Chinese, whatever the trainee typed (這個 -> 这个)."""
    global _converter
    if text.isascii():
        return text
    if _converter is None:
        import opencc
        _converter = opencc.OpenCC("t2s")
    try:
        return _converter.convert(text)
    except Exception:  # a lone surrogate: keep the text as it is
        return text


def _fmt_num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _fact_text(name: str, ctx) -> str | None:
    if ctx is None:
        return None
    vals = ctx.lists.get(name)
    if vals:
        if name == "couriers":
            return "、".join(f"{n}补{_fmt_num(f)}元" for n, f in vals)
        return "、".join(str(v) for v in vals)
    v = ctx.vars.get(name)
    if v is None:
        return None
    if name == "cutoff":
        h, m = int(v), int(round((v - int(v)) * 60))
        head = f"下午{h - 12}点" if h > 12 else f"{h}点"
        return head + ("半" if m == 30 else f"{m}分" if m else "")
    return _fmt_num(v)


def fill(template: str, ctx=None) -> str:
    """A rewrite or model sentence with its {fact|default} placeholders filled from the chat's shop."""
    if not template or "{" not in template:
        return template
    return PLACEHOLDER.sub(lambda m: _fact_text(m.group(1), ctx) or (m.group(2) or ""), template)


@dataclass
class ReplyContext:
    """What the scorer knows about the chat around one reply (all optional)."""
    stage: str | None = None
    first: bool = False
    wait: float | None = None  # seconds the buyer waited for this reply
    typing_seconds: float | None = None  # first keystroke to send, when the UI knows it
    previous: tuple[str, ...] = ()  # earlier replies of the trainee in this chat
    others: tuple[str, ...] = ()  # private data of other buyers (names, phone numbers)
    vars: dict[str, float] = field(default_factory=dict)  # facts of the shop file and the haggle so far
    lists: dict[str, tuple] = field(default_factory=dict)  # sizes, colors, couriers
    buyer: str | None = None  # the buyer's message this reply answers
    situation: str | None = None  # its situation (rules/situations.yaml); read from `buyer` when None
    earlier: tuple[str, ...] = ()  # the buyer's lines before `buyer` in this chat ("我平时穿37,脚背高")


@dataclass(frozen=True, slots=True)
class Hit:
    rule: str
    category: str
    severity: str
    title: str
    start: int  # span in the reply as typed
    end: int
    text: str  # the words that broke the rule
    why: str
    suggestion: str  # the reply rewritten without this fault, or a model sentence
    spans: tuple[tuple[int, int], ...] = ()  # every place of this fault in the reply; the first is start..end

    @property
    def count(self) -> int:
        return len(self.spans) or 1

    def to_dict(self) -> dict:
        spans = self.spans or ((self.start, self.end),)
        return {"rule": self.rule, "category": self.category, "severity": self.severity, "title": self.title,
                "text": cut(self.text), "start": self.start, "end": self.end, "count": len(spans),
                "spans": [[a, b] for a, b in spans], "why": self.why, "suggestion": cut(self.suggestion, LONG_CHARS)}


@dataclass(frozen=True, slots=True)
class Strength:
    id: str
    title: str
    text: str = ""

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "text": self.text}


@dataclass
class ReplyResult:
    text: str
    score: int
    hits: tuple[Hit, ...]
    strengths: tuple[Strength, ...]
    intents: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()  # reception-flow stages this reply shows
    rewrite: str | None = None  # the whole reply with every fault fixed, when each has a fix
    mood_delta: float = 0.0  # the engine moves the buyer's mood by this much at once
    offer: float | None = None  # the price this reply offers, if any (haggles)
    stage: str | None = None  # the stage the reply was checked for
    situation: str | None = None  # the buyer's situation it was judged in
    moves: tuple = ()  # game.scoring.situations.MoveCheck: the situation's moves, made or not
    model_answer: str | None = None  # the situation's model answer, with the shop's facts
    unscored: bool = False  # the scorer failed on this reply (logged): no score to show or count
    advice: frozenset = frozenset()  # severities that are advice, not faults (fault: false in scoring.yaml)

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h.rule for h in self.hits))

    @property
    def faults(self) -> tuple[Hit, ...]:
        """The hits that are faults; advice on style (a "tip") leaves the reply acceptable."""
        return tuple(h for h in self.hits if h.severity not in self.advice)

    def to_dict(self) -> dict:
        return {
            "text": self.text, "score": self.score, "stage": self.stage,
            "violations": [h.to_dict() for h in self.hits],
            "strengths": [s.to_dict() for s in self.strengths],
            "intents": list(self.intents), "stages": list(self.stages), "rewrite": cut(self.rewrite, LONG_CHARS),
            "mood_delta": self.mood_delta, "situation": self.situation, "unscored": self.unscored,
            "moves": [m.to_dict() for m in self.moves],
        }


class _PlainMatcher:
    """Every occurrence of literal compact phrases, with no negation logic."""

    def __init__(self, phrases):
        buckets: dict[str, list[tuple[str, int]]] = {}
        for raw, key in phrases:
            p = compact_phrase(raw)
            if p and (p, key) not in buckets.get(p[0], ()):
                buckets.setdefault(p[0], []).append((p, key))
        self._buckets = buckets

    def scan(self, c: str):
        if not self._buckets:
            return
        buckets = self._buckets
        for i, ch in enumerate(c):
            for p, key in buckets.get(ch, ()):
                if c.startswith(p, i):
                    yield key, i, i + len(p), p


@lru_cache(maxsize=4096)
def _compact(text: str) -> str:
    return compact_phrase(text)


def _negated_before(c: str, k: int, clause, neg) -> bool:
    """A negator of the lexicon (reader.yaml) in the three characters before k, in k's clause; words
    that only look negative (没事的,7天无理由) are taken out first."""
    lo = max(0, k - 6)
    if clause is not None and k < len(clause):  # a negation ends at its clause: "不用,正码就行" says 正码
        while lo < k and clause[lo] != clause[k]:
            lo += 1
    window = c[lo:k]
    for x in neg.keep:
        window = window.replace(x, "")
    return any(n in window[-3:] for n in neg.minimal)


_QUOTES = re.compile(r"“[^”]{1,200}”|\"[^\"]{1,200}\"|「[^」]{1,200}」|『[^』]{1,200}』|‘[^’]{1,200}’|'[^']{1,200}'")
_WORD = re.compile(r"[\w\u4e00-\u9fff]")


# What a product fact rule reads: the chat's product, not the shop's policies.
_PRODUCT_VARS = frozenset({"stock", "list_price", "floor_price", "offer", "offer_step", "size_listed", "color_listed"})
_PRODUCT_CHECKS = ("material_unlisted", "weak_point_denied")
_LIST_ITEM = re.compile(r"\s*(?:\d{1,2}|[一二三四五六七八九十]|[①-⑩])\s*[.、)):．]|\s*[-•·*]\s")


def _clause_at(ids, k: int, n: int) -> tuple[int, int]:
    """The compact span of the clause holding compact index ``k`` (``ids``: clause id per char)."""
    lo, hi = k, k
    while lo > 0 and ids[lo - 1] == ids[k]:
        lo -= 1
    while hi < n and ids[hi] == ids[k]:
        hi += 1
    return lo, hi


def _own_product(text: str, found: list, ctx) -> list:
    """After a reply names another product of the shop ("您穿42的话看看防滑工作鞋,38到44码都有"),
    the stock, sizes, colours, prices and materials it says are that product's: not checked against
    the chat's own."""
    others = ctx.lists.get("others") if ctx is not None else None
    if not others or not found:
        return found
    low = text.lower()
    at = min((i for i in (low.find(w) for w in others) if i >= 0), default=-1)
    if at < 0:
        return found

    def about_product(rule) -> bool:
        if rule.category != "facts":
            return False
        return rule.check in _PRODUCT_CHECKS or bool(rule.when is not None and _PRODUCT_VARS & set(rule.when.names))

    return [f for f in found if not (f[1] >= at and about_product(f[0]))]  # 纯棉圆领T恤: its name too


def _unquoted(text: str, found: list) -> list:
    """Words in quotation marks are the buyer's, a courier's or a rule's name, not the trainee's own
    ("您说“再不处理就差评”,我理解您很生气"): a fault found only inside them is dropped."""
    spans = [m.span() for m in _QUOTES.finditer(text)] if any(q in text for q in "“\"「『‘'") else []
    if not spans:
        return found
    inside = bytearray(len(text))
    for a, b in spans:
        inside[a:b] = b"\x01" * (b - a)
    out = []
    for f in found:
        rule, a, b = f[0], f[1], f[2]
        if rule.check or rule.whole or rule.absent or b <= a:
            out.append(f)
            continue
        own = sum(1 for i in range(a, min(b, len(text))) if not inside[i] and _WORD.match(text[i]))
        # a meaning needs 3 characters of the trainee's own words; words need to be outside the quotes
        if own >= (3 if rule.intents else 1):
            out.append(f)
    return out


def _share(moves, required: bool) -> float:
    """The weighted share of the required (or of the recommended) moves a reply makes; 1 when none."""
    own = [m for m in moves if m.move.required == required]
    total = sum(m.move.weight for m in own)
    return sum(m.move.weight for m in own if m.met) / total if total else 1.0


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)} if len(s) > 1 else {s}


def similarity(a: str, b: str) -> float:
    """Character-pair overlap (Dice) of two compact strings, 0..1."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y))


def _number(raw: str) -> float | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        return parse_chinese_number(raw)


def split_message(text: str, limit: int) -> list[str]:
    """Cut an overlong reply at sentence ends (or commas) into pieces of at most ~limit chars."""
    parts, cur = [], ""
    for ch in text:
        cur += ch
        if ch in _SENTENCE_END or (ch in ",，、" and len(cur) >= limit * 0.6):
            parts.append(cur)
            cur = ""
    if cur:
        parts.append(cur)
    out: list[str] = []
    for p in parts:
        if out and len(out[-1]) + len(p) <= limit:
            out[-1] += p
        else:
            out.append(p)
    return [p.strip() for p in out if p.strip()]


class Scorer:
    def __init__(self, rubric: Rubric, reader=None, situations=None):
        self.rubric = rubric
        self.config = rubric.config
        self.reader = reader
        self.situations = situations if situations else None
        self._sub = dict(self.config.substance)
        self._situation_rules: dict[str, Rule] = {}
        self._classified: dict[str, object] = {}
        self._courtesy = frozenset(self._sub.get("courtesy", ()))  # moves that are no topic of their own
        self._rules = list(rubric.rules)
        self._order = {r.id: i for i, r in enumerate(self._rules)}
        self._by_id = {r.id: r for r in self._rules}
        self._phrase_matcher = PhraseMatcher(
            (p, i) for i, r in enumerate(self._rules) if r.negatable for p in r.phrases)
        self._plain_matcher = _PlainMatcher(
            (p, i) for i, r in enumerate(self._rules) if not r.negatable for p in r.phrases)
        self._pattern_rules = [(i, r) for i, r in enumerate(self._rules) if r.patterns]
        self._whole_rules = [r for r in self._rules if r.whole]
        self._absent_rules = [r for r in self._rules if r.absent and not r.check]  # a check reads its own
        self._check_rules = [r for r in self._rules if r.check]
        self._intent_rules = [r for r in self._rules if r.intents]
        self._when_rules = [r for r in self._rules if r.when is not None and not (
            r.phrases or r.patterns or r.whole or r.absent or r.check or r.intents)]
        self._strengths = list(rubric.strengths)
        self._strength_matcher = PhraseMatcher(
            (p, i) for i, s in enumerate(self._strengths) for p in s.phrases)
        self._sev = self.config.severities
        t = self.config.timing
        self._first_limit = float(t.get("first_reply", 15))
        self._golden = float(t.get("golden", 6))
        self._reply_limit = float(t.get("reply", 20))
        self._cpm = float(t.get("typing_cpm", 50))
        self._cpm_min = int(t.get("typing_min_chars", 10))
        self._overlong = int(t.get("overlong_chars", 60))
        rep = self.config.repetition
        self._rep_sim = float(rep.get("similarity", 0.8))
        self._rep_min = int(rep.get("min_chars", 5))
        self._rep_back = int(rep.get("lookback", 6))
        # stage -> intents, over every flow (for telling which stages a reply shows)
        st: dict[str, list[str]] = {}
        for flow in self.config.flows.values():
            for s in flow.stages:
                st.setdefault(s.stage, [])
                st[s.stage].extend(i for i in s.intents if i not in st[s.stage])
        self._stage_intents = {k: frozenset(v) for k, v in st.items()}

    # ------------------------------------------------------------ public
    def score(self, text: str, ctx: ReplyContext | None = None, reading=None) -> ReplyResult:
        """Faults, strengths and a 0-100 score for one reply. Never raises on a string."""
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        ctx = ctx or ReplyContext()
        if reading is None and self.reader is not None:
            reading = self.reader.read(text)
        try:
            return self._score(text, ctx, reading)
        except Exception:  # a scoring bug must not end a training session, nor pass as a perfect reply
            log.exception("scoring failed on a reply of %d characters", len(text))
            return ReplyResult(text, 0, (), (), tuple(getattr(reading, "names", ()) or ()), stage=ctx.stage,
                               unscored=True)

    # ------------------------------------------------------------ internals
    def _score(self, text: str, ctx: ReplyContext, reading) -> ReplyResult:
        prep = prepare(text)
        names = tuple(getattr(reading, "names", ()) or ())
        env = self._env(ctx)
        offer = self._offer(reading, env)
        kept = self._dedupe(self._once_by_meaning(self._find(text, prep, ctx, env, names, reading)))
        hits, rewrite = self._hits_and_rewrite(text, kept, ctx)
        strengths = self._strength_hits(text, prep, ctx, reading, names)
        rules = {}
        for rule, *_x in kept:
            rules.setdefault(rule.id, rule)
        sit, sure = self._situation_of(ctx)
        moves, model_answer, lost = (), None, 0.0
        if sit is not None:
            # A move made earlier in the chat still counts: service comes in steps (sorry, a photo, then the fix).
            # Only while the buyer stays on this topic: asking her size before is no asking for an invoice title.
            earlier, chat = [], ()
            if self.reader is not None:
                # a move made once for the whole chat (an apology) counts from any earlier reply
                once = any(m.once for m in sit.moves)
                chat = tuple(self.reader.read(t) for t in ctx.previous) if once else ()
                for i in range(1, min(4, len(ctx.previous), len(ctx.earlier)) + 1):
                    if self.classify_buyer(ctx.earlier[-i]).situation != sit.id:
                        break
                    earlier.insert(0, chat[-i] if once else self.reader.read(ctx.previous[-i]))
            moves = check_moves(sit, reading, earlier, chat)
            model_answer = self.model_answer(sit, ctx)
            extra = []
            for f, h in fault_moves(sit, reading, ctx.buyer):
                rule = self._situation_rule(sit, f.id, f.title, f.why, f.severity, model_answer)
                if rule.id not in rules:
                    rules[rule.id] = rule
                    extra.append(Hit(rule.id, rule.category, rule.severity, rule.title, h.start, h.end, h.matched,
                                     rule.why, model_answer or "", ((h.start, h.end),)))
            shop = {k: v for k, v in ctx.lists.items() if k in _FACT_LISTS}
            details = concrete_details(text, self.situations.details, shop, self.situations.units)
            required = [m for m in moves if m.move.required]
            missing = [m.move for m in required if not m.met]
            # asking for what the answer needs; a vague "有什么问题随时说" is no step, "您身高体重多少?" is
            step = {n for n in set(names) & set(self._sub.get("steps", ()))
                    if details or n not in self._sub.get("detail_steps", ())}
            if "refuse" in names and {"apologize", "empathize"} & set(names):
                step.add("refuse")  # a polite no, with its reason, answers a yes-or-no question
            if "decline_politely" in names:
                step.add("decline_politely")
            # Not answering is a fault when the reply does none of the required work; doing part of
            # it only costs points (a team lead still prefers the fuller answer).
            # A reply full of concrete facts is answering something, even when the reader missed what;
            # one whose moves the reader did read, none of them this situation's, answered another question.
            # Only when the buyer's message was read with confidence: a message of a situation no one
            # wrote down ("花箱能刻字吗") must not make a good answer look like no answer.
            other = [n for n in names if n not in self._courtesy]
            if (sure and missing and len(missing) == len(required) and not step
                    and (len(details) < 2 or other) and not is_blank(text)):
                titles = "、".join(m.title for m in missing)
                why = self._sub.get("missing_why", "{title}").format(situation=sit.title, title=titles)
                rule = self._situation_rule(sit, "missing_moves", "没有" + titles, why, "minor", model_answer)
                extra.append(Hit(rule.id, rule.category, "minor", rule.title, 0, 0, "", why,
                                 model_answer or "", ((0, 0),)))  # nothing said to point at
                if model_answer:
                    rewrite = model_answer  # the trainee's own words lack the substance: the model answer
            hits = hits + tuple(extra)
            warm = len([x for x in self._strengths_by_id(strengths) if x.politeness])
            lost = float(self._sub.get("detail_span", 10)) * (1 - min(1.0, len(details) / 3)) + \
                float(self._sub.get("span", 40)) * (1 - _share(moves, True)) * (
                    1 - float(self._sub.get("step_credit", 0)) if step and missing else 1) + \
                float(self._sub.get("extra_span", 12)) * (1 - _share(moves, False)) + \
                float(self._sub.get("warmth", 6)) * (1 - min(1.0, warm / 3))
        penalty = sum(self._sev[r.severity].reply for r in rules.values()
                      if r.severity in self._sev and r.id != "missing_moves")
        score = max(0.0, min(100.0, 100.0 - penalty - lost))
        if sit is not None or ctx.buyer:  # judged as a team lead does: a real fault outweighs any substance
            for r in rules.values():
                cap = self._sub.get("caps", {}).get(r.severity)
                if cap is not None and r.id != "missing_moves":
                    score = min(score, float(cap))
        for r in rules.values():
            if r.max_score is not None:
                score = min(score, r.max_score)
        felt = {r.id: r.severity for r in rules.values() if r.category not in self.config.unfelt}
        mood = sum(self._sev[s].mood for s in felt.values() if s in self._sev)
        if not kept and any(s.politeness for s in self._strengths_by_id(strengths)):
            mood += self.config.polite_bonus
        stages = tuple(s for s, ints in self._stage_intents.items() if any(n in ints for n in names))
        return ReplyResult(
            text=text, score=int(round(score)), hits=hits,
            strengths=strengths, intents=names, stages=stages, rewrite=rewrite,
            mood_delta=float(mood), offer=offer, stage=ctx.stage, situation=sit.id if sit else None,
            moves=moves, model_answer=model_answer,
            advice=frozenset(n for n, sv in self._sev.items() if not sv.fault))

    # ------------------------------------------------------------ situations
    def _situation_of(self, ctx: ReplyContext):
        """(situation, sure): the one the chat names, else the one read from the buyer's message."""
        if self.situations is None:
            return None, False
        if ctx.situation:
            return self.situations.get(ctx.situation), True
        if not ctx.buyer or is_blank(ctx.buyer):
            return None, False
        got = self.classify_buyer(ctx.buyer)
        return self.situations.get(got.situation), got.confidence >= float(self._sub.get("sure", 0.7))

    def classify_buyer(self, text: str):
        """The situation of a buyer's message (remembered: a chat's buyer lines come back often)."""
        got = self._classified.get(text)
        if got is None:
            if not self.situations._built:
                enc = getattr(self.reader, "encoder", None)
                self.situations.build(enc, getattr(self.reader, "design", None))
            got = self.situations.classify(text)
            if len(self._classified) > 2048:
                self._classified.clear()
            self._classified[text] = got
        return got

    def _situation_rule(self, sit, rid: str, title: str, why: str, severity: str, answer: str | None) -> Rule:
        key = f"{sit.id}/{rid}"
        rule = self._situation_rules.get(key)
        if rule is None:
            rule = Rule(id=rid, category="substance", severity=severity, title=title, why=why, rewrite=answer or "",
                        source=f"situations.yaml {sit.id}", path=self.situations.path, line=sit.line)
            self._situation_rules[key] = rule
        return rule

    def model_answer(self, sit, ctx: ReplyContext | None = None) -> str | None:
        """The situation's model answer that this chat's facts fill best."""
        for a in sit.answers:  # never a sentence with a hole where a fact should be ("最多能给到元")
            if all(m.group(2) is not None or _fact_text(m.group(1), ctx) is not None for m in PLACEHOLDER.finditer(a)):
                return fill(a, ctx)
        return None

    def _once_by_meaning(self, found: list) -> list:
        """A fault found by meaning (the reader's intent) counts only where its words were not
        already caught by a rule of the same kind."""
        if not self._intent_rules:
            return found
        worded = {f[0].category for f in found if not f[0].intents}
        return [f for f in found if not f[0].intents or f[0].category not in worded]

    def _detect(self, text: str, ctx: ReplyContext) -> list:
        """The faults of ``text`` (used to check that a rewrite is clean)."""
        reading = self.reader.read(text) if self.reader is not None else None
        env = self._env(ctx)
        self._offer(reading, env)
        names = tuple(getattr(reading, "names", ()) or ())
        return self._dedupe(self._find(text, prepare(text), ctx, env, names, reading))

    def _env(self, ctx: ReplyContext) -> dict:
        """The chat's facts, with the hour the buyer says the order was placed or paid (buyer_hour) and
        how many items the buyer names (buyer_qty), how long they have had the goods (buyer_days) and
        the size they wear with the way it fits (buyer_size, buyer_fit: 1 too small, -1 too big, 0 not
        said), and how the product runs (product_fit: 1 small, -1 large)."""
        env = dict(ctx.vars)
        lex = self.reader.lexicon if self.reader is not None else None
        if ctx.buyer and not {"buyer_hour", "buyer_qty", "buyer_days", "buyer_size"} & env.keys():
            said = extract_facts(ctx.buyer, lex)
            if said.order_hour is not None:
                env["buyer_hour"] = said.order_hour
            if said.quantity is not None:
                env["buyer_qty"] = float(said.quantity)
            if said.held_days is not None:
                env["buyer_days"] = float(said.held_days)
            if said.fit_size is not None:
                env["buyer_size"], env["buyer_fit"] = float(said.fit_size), float(said.fit)
        if "buyer_size" not in env:  # said earlier in the chat: "我平时穿37,脚背高" ... "所以拍几码?"
            for line in reversed(ctx.earlier):
                said = extract_facts(line, lex)
                if said.fit_size is not None:
                    env["buyer_size"], env["buyer_fit"] = float(said.fit_size), float(said.fit)
                    break
        if lex is not None and ctx.lists.get("product") and "product_fit" not in env:
            # how the product runs, from its shop file's points ("偏小半码"): one product only
            points = "".join(str(p) for p in ctx.lists.get("points", ()))
            small = any(w in points for w in lex.words("fit", "runs_small"))
            large = any(w in points for w in lex.words("fit", "runs_large"))
            if small != large:
                env["product_fit"] = 1.0 if small else -1.0
        return env

    def _find(self, text: str, prep: Prepared, ctx: ReplyContext, env: dict, names, reading) -> list:
        """Every (rule, start, end, compact words) the reply breaks, before de-duplication."""
        c = prep.compact
        found: list[tuple[Rule, int, int, str]] = []  # rule, orig start, orig end, compact text

        def compact_span(a: int, b: int) -> tuple[int, int]:
            """Compact span of the original-text span [a, b)."""
            if not c:
                return 0, 0
            n0 = bisect.bisect_left(prep.norm_to_orig, a)
            n1 = bisect.bisect_left(prep.norm_to_orig, b)
            k0 = min(prep.to_compact(n0), len(c) - 1)
            return k0, max(k0 + 1, min(prep.to_compact(n1), len(c)))

        def clause_of(k: int) -> tuple[int, int]:
            return _clause_at(prep.clause, k, len(c)) if 0 <= k < len(c) else (0, len(c))

        def applies(rule: Rule) -> bool:
            if rule.stages and rule.check != "stage" and ctx.stage not in rule.stages:
                return False
            if rule.first_only and not ctx.first:
                return False
            return len(c) >= rule.min_chars

        buyer_c = compact_phrase(ctx.buyer) if ctx.buyer else ""
        # what the chat is about, for if_buyer: the buyer's words so far and the product's name
        about = buyer_c + "|" + "|".join(compact_phrase(t) for t in (*ctx.earlier, *ctx.lists.get("product", ())))

        def passes(rule: Rule, k: int, j: int, values: dict | None = None) -> bool:
            for e in rule.except_:
                lo = max(0, j - len(e))
                for s in range(lo, k + 1):
                    if c.startswith(e, s):
                        return False
            if rule.unless_before and any(e in c[:k] for e in rule.unless_before):
                return False
            if rule.if_before and not any(e in c[:k] for e in rule.if_before):
                return False
            if rule.unless and any(e in c for e in rule.unless):
                return False
            if rule.unless_buyer and ctx.buyer and any(e in buyer_c for e in rule.unless_buyer):
                return False
            if rule.unless_said and any(e in compact_phrase(t) for t in ctx.previous[-6:] for e in rule.unless_said):
                return False  # told earlier in the chat ("顺丰要补15元差价" two replies ago)
            if rule.if_buyer and not any(e in about for e in rule.if_buyer):
                return False
            if rule.buyer_asks and not (buyer_c and any(p.search(buyer_c) for p in rule.buyer_asks)):
                return False
            if rule.unless_intents and any(n in rule.unless_intents for n in names):
                return False
            if rule.unless_clause and c:
                a, b = clause_of(min(k, len(c) - 1))
                seg = c[a:b]
                if any(e in seg for e in rule.unless_clause):
                    return False
            if rule.when is not None:
                scope = env if values is None else {**env, **values}
                if any(n not in scope for n in rule.when.names):
                    return False
                if not rule.when(scope):
                    return False
            return True

        bounds = None

        def whole_words(k: int, j: int) -> bool:
            """A one- or two-character phrase is a word of its own, not part of one (滚筒 is not 滚)."""
            nonlocal bounds
            if j - k > 2:
                return True
            from game.language.learned import words
            if len(c) > _SEGMENT_CHARS:
                # a pasted essay: the words around the phrase decide, not a segmentation of it all
                a = max(0, k - _WORD_CONTEXT)
                at, cuts = a, {a}
                for w in words(c[a:j + _WORD_CONTEXT]):
                    at += len(w)
                    cuts.add(at)
                return k in cuts and j in cuts
            if bounds is None:
                bounds, at = {0}, 0
                for w in words(c):
                    at += len(w)
                    bounds.add(at)
            return k in bounds and j in bounds

        # phrases: one scan for every rule; a phrase pasted a thousand times is judged on its first hits
        if c:
            tried: dict[str, int] = {}
            for key, k, j, phrase in self._scan_phrases(prep):
                tried[key] = tried.get(key, 0) + 1
                if tried[key] > _MAX_MATCHES:
                    continue
                rule = self._rules[key]
                if applies(rule) and whole_words(k, j) and passes(rule, k, j):
                    a, b = prep.orig_span(k, j)
                    found.append((rule, a, b, phrase))

        # patterns, on the normalized text
        if prep.analysed:
            for _i, rule in self._pattern_rules:
                if not applies(rule):
                    continue
                for rx in rule.patterns:
                    for n, m in enumerate(content_patterns.finditer(rx, prep.analysed)):
                        if n >= _MAX_MATCHES:
                            break
                        a, b = m.span()
                        k, j = prep.to_compact(a), prep.to_compact(b)
                        if k >= j and c:  # only symbols matched; a symbol-only reply ("?") still counts
                            continue
                        if rule.negatable and k < j:
                            if any(x in m.group() for x in _NEGATOR_CHARS):
                                if prep.in_question(k, j) or prep.conditional(k, j):
                                    continue
                            elif prep.negated(k, j):
                                continue
                        values = self._group_values(m, ctx) if rx.groupindex else None
                        if values is False:
                            continue
                        if not passes(rule, k, j, values or None):
                            continue
                        oa, ob = prep.orig_span_norm(a, b)
                        if oa < ob:
                            found.append((rule, oa, ob, c[k:j]))

        whole_span = prep.orig_span(0, len(c)) if c else (0, len(text))
        for rule in self._whole_rules:
            if c in rule.whole and applies(rule) and passes(rule, 0, len(c)):
                found.append((rule, *whole_span, c))
        for rule in self._absent_rules:
            if c and applies(rule) and not any(a in c for a in rule.absent) and passes(rule, 0, len(c)):
                found.append((rule, *whole_span, c))
        for rule in self._check_rules:
            if rule.buyer_asks and not passes(rule, 0, len(c)):
                continue  # a check about the buyer's question: its buyer and intent conditions first
            if rule.if_buyer and (ctx.buyer or ctx.earlier) and not any(e in about for e in rule.if_buyer):
                continue  # a check for one kind of chat (an apology owed to a buyer who complains)
            if applies(rule) and not (rule.unless and any(e in c for e in rule.unless)):
                for a, b in self._check(rule, text, c, prep, ctx, names):
                    found.append((rule, a, b, _compact(text[a:b])))
        if self._intent_rules and reading is not None:
            seen = list(getattr(reading, "intents", ()))
            floor = self._sub.get("meaning_floor")
            if ctx.buyer and floor is not None and self.reader is not None and hasattr(self.reader, "likely"):
                # Judged against a buyer message, a fault's meaning counts from a lower probability:
                # the reader's own threshold guards the buyer's reaction, not the team lead's sheet.
                names = sorted({n for r in self._intent_rules for n in r.intents} - {h.name for h in seen})
                seen += self.reader.likely(text, names, float(floor))
            for rule in self._intent_rules:
                if not applies(rule):
                    continue
                for h in seen:
                    # An interjection alone (呵呵, 哦) is too little to judge a meaning by; words rules see those.
                    if h.name in rule.intents and len(_compact(h.matched)) >= 3:
                        k0, k1 = compact_span(h.start, h.end)
                        if rule.unless_clause and c and any(
                                e in c[clause_of(k0)[0]:clause_of(max(k0, k1 - 1))[1]] for e in rule.unless_clause):
                            continue  # the clauses the meaning was read in say otherwise
                        if passes(rule, k0, k0):
                            found.append((rule, h.start, h.end, _compact(text[h.start:h.end])))
        if self._when_rules:
            span = next(((h.start, h.end) for h in getattr(reading, "intents", ()) if h.name == "offer_discount"),
                        whole_span)
            for rule in self._when_rules:
                if applies(rule) and passes(rule, 0, len(c)):
                    found.append((rule, *span, _compact(text[span[0]:span[1]])))

        return _unquoted(text, _own_product(text, found, ctx))

    def _scan_phrases(self, prep: Prepared):
        for h in self._phrase_matcher.scan(prep):
            yield h.key, h.start, h.end, h.phrase
        yield from self._plain_matcher.scan(prep.compact)

    def _strengths_by_id(self, strengths):
        ids = {s.id for s in strengths}
        return [s for s in self._strengths if s.id in ids]

    def _offer(self, reading, env: dict) -> float | None:
        """The engine's reading of an offer (game.language.facts.offered_price)."""
        if reading is None or "list_price" not in env:
            return None
        prev = env.get("prev_offer", env["list_price"])
        offer = offered_price(reading, env["list_price"], prev)
        if offer is None:
            return None
        env["offer"] = offer
        env["offer_step"] = round(prev - offer, 2)
        env.setdefault("prev_offer", prev)
        return offer

    def _group_values(self, m, ctx: ReplyContext):
        """Variables from named pattern groups; False when a number cannot be read."""
        out: dict[str, float] = {}
        for g, raw in m.groupdict().items():
            if g == "half":
                out["half"] = 1.0 if raw else 0.0
                continue
            if raw is None:
                continue
            if g == "size":
                sizes = ctx.lists.get("sizes")
                if sizes is not None:
                    out["size_listed"] = 1.0 if raw.strip().lower() in {str(s).lower() for s in sizes} else 0.0
            elif g == "color":
                colors = ctx.lists.get("colors")
                if colors is not None:
                    want = raw.strip().rstrip("色")
                    out["color_listed"] = 1.0 if any(
                        want and (want in str(col).rstrip("色") or str(col).rstrip("色") in want) for col in colors
                    ) else 0.0
            elif g == "gift":
                gifts = ctx.lists.get("gifts")
                if gifts is not None:
                    out["gift_listed"] = 1.0 if any(str(w) in raw for w in gifts) else 0.0
            elif g == "courier":
                couriers = ctx.lists.get("couriers")
                if couriers is not None:
                    fee = -1.0
                    for name, f in couriers:
                        low, key = raw.lower(), str(name).lower()  # the reply is read lower-cased ("ems")
                        if low in key or key in low:
                            fee = float(f)
                            break
                    out["courier_fee"] = fee
            else:
                v = _number(raw)
                if v is None:
                    return False
                out[SPECIAL_GROUPS.get(g, g)] = v
        return out

    @staticmethod
    def _question_ignored(rule: Rule, c: str, ctx: ReplyContext, prep: Prepared) -> bool:
        """The buyer asked about a thing (漏水孔, 菠萝格, 单位抬头) and the reply neither names it nor
        opens with a yes or no: it answered something else. The thing is a word of the buyer's
        question clause that is not one of the rule's `topics.not_topic` nor the product's name."""
        from game.language.learned import words

        tw = dict(rule.topics)
        if any(a in c for a in rule.absent):
            return False
        lead = tw.get("lead", ())
        head = []  # the first two clauses that say something
        for clause in re.split(r"[,.!?;~\s，。！？；、]+", prep.analysed):
            rest = compact_phrase(clause)
            while True:  # 亲, 您好 before the answer
                w = next((w for w in lead if w and rest.startswith(w)), None)
                if w is None:
                    break
                rest = rest[len(w):]
            if not rest:
                continue
            # the first clause that says something: a yes or a no ("有的", "不支持机洗")
            if not head and (rest.startswith(tw.get("answer_starts", ())) or re.match(r"[\u4e00-\u9fff]的", rest) or any(
                    w in rest for w in tw.get("answer_within", ()))):
                return False
            head.append(rest)
            if len(head) == 2:
                break
        head_text = "".join(head)
        stop = set(tw.get("not_topic", ()))
        own = "|".join(compact_phrase(t) for t in (*ctx.lists.get("product", ()), *ctx.lists.get("shop", ())))
        topics = []
        for clause in re.split(r"[,.!?;~\s，。！？；、]+", ctx.buyer or ""):
            cc = compact_phrase(clause)
            if not cc or not any(p.search(cc) for p in rule.buyer_asks):
                continue
            topics += [w for w in words(cc) if len(w) >= 2 and w not in stop and w not in own
                       and all("\u4e00" <= ch <= "\u9fff" for ch in w)]
            # the verb of an A-not-A question ("会不会烂" -> 会, "防不防水" -> 防) said back answers it
            for m in re.finditer(r"([\u4e00-\u9fff])[不没]\1", cc):
                if m.group(1) in c:
                    return False
            # "会掉色吗", "能多开点发票吗", "是真皮吗": the modal, or the verb after it, said back at the
            # start (a verb said later about something else, "冬天穿脚不冷" to "雨天能穿吗", answers nothing)
            for m in re.finditer(r"(会|能|可以|是)([\u4e00-\u9fff])", cc):
                if m.group(1) in head_text or (m.group(2) not in "不没一" and m.group(2) in head_text):
                    return False
                v = m.group(2)  # anywhere, with its modal or a complement: "放得下", "能穿"
                if v not in "不没一" and re.search(f"(?:能|可以|会){v}|{v}[得不]", c):
                    return False
        if not topics:
            return False
        # characters that stand for each other at the head of a topic (防油 asked, 耐油 answered)
        alike = [g for g in tw.get("alike", ()) if len(g) > 1]
        for w in topics:
            if w in c or any(w[i:i + 2] in c and w[i:i + 2] not in stop for i in range(len(w) - 1)):
                return False
            if any(ch + w[1:] in c for g in alike if w[0] in g for ch in g):
                return False
        return True

    def _check(self, rule: Rule, text: str, c: str, prep: Prepared, ctx: ReplyContext, names) -> list[tuple[int, int]]:
        whole = prep.orig_span(0, len(c)) if c else (0, len(text))
        kind = rule.check
        if kind == "empty":
            return [(0, len(text))] if is_blank(text) else []
        if kind == "overlong":
            return [whole] if self._monologue(c, names, text) else []
        if kind == "question_ignored":
            return [whole] if self._question_ignored(rule, c, ctx, prep) else []
        if kind == "first_reply_slow":
            return [whole] if ctx.first and ctx.wait is not None and ctx.wait > self._first_limit else []
        if kind == "reply_slow":
            return [whole] if not ctx.first and ctx.wait is not None and ctx.wait > self._reply_limit else []
        if kind == "typing_slow":
            chars = sum(1 for ch in text if not ch.isspace())
            secs = ctx.typing_seconds
            if secs and secs > 0 and chars >= self._cpm_min and chars / secs * 60 < self._cpm:
                return [whole]
            return []
        if kind == "repetition":
            if len(c) < self._rep_min:
                return []
            for p in ctx.previous[-self._rep_back:]:
                if similarity(c, _compact(p)) >= self._rep_sim:
                    return [whole]
            return []
        if kind == "other_buyers":
            out = []
            for tok in ctx.others:
                t = _compact(tok)
                if len(t) >= 2:
                    k = c.find(t)
                    if k >= 0:
                        out.append(prep.orig_span(k, k + len(t)))
            return out
        if kind == "weak_point_denied":
            weak_list = [_compact(str(w)) for w in ctx.lists.get("weak_points", ())]
            weak = "".join(weak_list)
            colors = [_compact(str(x)) for x in ctx.lists.get("colors", ())]
            colors = [x for x in colors if x] + [x[:-1] for x in colors if len(x) > 2 and x.endswith("色")]
            out = []

            def other_colour(flaw: str, k: int) -> bool:
                """"粉色不显脏" says nothing of "白色不太耐脏": the denial's clause names another colour."""
                own = [x for x in colors if any(flaw in w and x in w for w in weak_list)]
                if not own:
                    return False
                lo, hi = _clause_at(prep.clause, k, len(c))
                clause = c[lo:hi]
                return not any(x in clause for x in own) and any(x in clause for x in colors if x not in own)

            for flaw, words in rule.denials:
                if flaw not in weak:
                    continue
                rest = c
                for w in words:
                    rest = rest.replace(w, "")
                owned = ".{0,3}".join(map(re.escape, flaw))  # 掉色 owned as 掉一点色 too
                if re.search(owned, rest):  # the reply owns the flaw too
                    continue
                for w in words:
                    k = c.find(w)
                    while k >= 0 and (_negated_before(c, k, prep.clause, prep.neg) or other_colour(flaw, k)):
                        k = c.find(w, k + 1)  # "不支持七天无理由" denies nothing
                    if k >= 0:
                        out.append(prep.orig_span(k, k + len(w)))
                        break
            return out
        if kind == "material_unlisted":
            mats = ctx.lists.get("materials") or ctx.lists.get("shop_materials")
            if not mats:
                return []
            each = [_compact(str(m)).lower() for m in mats]
            have = "".join(m for m in each if not any(o in m for o in rule.option_marks))
            extra = "".join(m for m in each if any(o in m for o in rule.option_marks))
            low = c.lower()
            out = []
            for name, words in rule.denials:
                if any(w.lower() in have for w in words):
                    continue  # the product is made of it
                option = any(w.lower() in extra for w in words)  # to be had at extra cost only
                for m in re.finditer(re.escape(name.lower()), low):
                    k = m.start()
                    lo, hi = _clause_at(prep.clause, k, len(c))
                    # denied, compared, or about another shop or garment: no claim about this product
                    b = k  # a share may stand between a denial and its material: "不是100%纯棉"
                    while b > 0 and low[b - 1] in "0123456789.%":
                        b -= 1
                    if any(n in low[max(0, k - 4):k] or n in low[max(0, b - 4):b] for n in rule.unless_before) or any(
                            w in c[lo:hi] for w in rule.unless_clause):
                        continue
                    if option and any(w in c for w in rule.option_words):
                        continue  # offered as the option it is ("菠萝格的要加价")
                    out.append(prep.orig_span(k, k + len(name)))
                    break
            return out
        if kind == "stage":
            if ctx.stage in rule.stages and not any(n in rule.expect_intents for n in names):
                return [whole]
            return []
        return []

    def _monologue(self, c: str, names, text: str = "") -> bool:
        """Too much to read at once: well over a chat line, or several separate topics in a long one.
        Steps set out one a line (1. 2. 3.) read more easily: they have a higher limit."""
        chars = int(self._sub.get("monologue_chars", self._overlong))
        items = sum(1 for line in text.splitlines() if _LIST_ITEM.match(line))
        if items >= int(self._sub.get("list_items", 99)):
            chars = int(self._sub.get("list_chars", chars))
        if len(c) > chars:
            return True
        topics = {n for n in names if n not in self._courtesy}
        return (len(c) > int(self._sub.get("topic_chars", chars)) and
                len(topics) >= int(self._sub.get("monologue_topics", 99)))

    @staticmethod
    def _dedupe(found) -> list:
        """Per rule, overlapping spans keep the longest (at most _MAX_SPANS); in text order."""
        by_rule: dict[str, list] = {}
        for f in found:
            by_rule.setdefault(f[0].id, []).append(f)
        kept = []
        for lst in by_rule.values():
            out: list = []
            for f in sorted(lst, key=lambda f: (-(f[2] - f[1]), f[1])):
                if all(f[2] <= g[1] or f[1] >= g[2] for g in out):
                    out.append(f)
            out.sort(key=lambda f: f[1])
            kept.extend(out[:_MAX_SPANS])
        kept.sort(key=lambda f: (f[1], f[0].id))
        return kept

    def model(self, rule: Rule, ctx: ReplyContext | None = None) -> str:
        """The rule's model sentence, with the shop's facts when the chat knows them."""
        return fill(rule.rewrite, ctx)

    def _hits_and_rewrite(self, text: str, kept, ctx: ReplyContext) -> tuple[tuple[Hit, ...], str | None]:
        """One hit per rule (all its spans) with a suggestion, and the whole reply rewritten.

        A suggestion in the trainee's own words is offered only when it is checked clean: scored
        again, it breaks no rule at all (a fix may need a second round: "最低价了" -> "非常抱歉,最低价了"
        -> "亲,非常抱歉,最低价了"). Otherwise the rule's model sentence is offered: a rewrite never
        keeps the fault it fixes, nor another one of the same reply."""
        if not kept:
            return (), None
        groups: dict[str, list] = {}
        for f in kept:
            groups.setdefault(f[0].id, []).append(f)
        words = [f for f in kept if not f[0].wordless and f[0].check != "overlong"]
        overlong = any(f[0].check == "overlong" for f in kept)
        if not words:
            clean = text  # nothing wrong with the words themselves
        elif len(text) <= _MAX_REWRITE_CHARS:
            clean = self._fix(text, words, ctx)
        else:
            clean = None
        rewrite = clean if words and clean is not None and not overlong else None
        hits = []
        for lst in groups.values():
            rule, a, b, _c = lst[0]
            if rule.wordless or clean is None:
                sugg = self.model(rule, ctx)
            elif rule.check == "overlong":
                parts = split_message(clean, self._overlong) if len(clean) <= _MAX_REWRITE_CHARS else []
                sugg = ("分成{}条发送: ".format(len(parts)) + " / ".join(parts)) if len(parts) > 1 \
                    else self.model(rule, ctx)
            else:
                sugg = clean
            hits.append(Hit(rule.id, rule.category, rule.severity, rule.title, a, b, text[a:b], rule.why, sugg,
                            tuple((f[1], f[2]) for f in lst)))
        return tuple(hits), rewrite

    def _fix(self, text: str, found, ctx: ReplyContext) -> str | None:
        """``text`` with every fault of ``found`` fixed in the trainee's own words, checked clean; else None."""
        vctx = replace(ctx, wait=None, typing_seconds=None)
        cur, todo = text, found
        for _ in range(_FIX_ROUNDS):
            cand = self._apply(cur, todo)
            if cand is None:
                return None
            cand = simplified(cand)
            if cand == cur:
                return None
            todo = [f for f in self._detect(cand, vctx) if not f[0].wordless and f[0].check != "overlong"]
            if not todo:
                return cand
            cur = cand
        return None

    def _apply(self, text: str, found) -> str | None:
        """``text`` with the replacements and prefixes of ``found``; None if one of them has no fix."""
        edits = []
        prefixes: list[str] = []
        suffixes: list[str] = []
        for rule, a, b, ctext in sorted(found, key=lambda f: self._order[f[0].id]):
            repl = rule.replacement(ctext) if rule.replace else None
            if repl is not None and not rule.whole and not rule.absent and not rule.check:
                edits.append((a, b, repl))
            elif rule.prefix or rule.suffix:
                if rule.prefix and rule.prefix not in prefixes:
                    prefixes.append(rule.prefix)
                if rule.suffix and rule.suffix not in suffixes:
                    suffixes.append(rule.suffix)
            else:
                return None
        edits.sort(key=lambda e: (e[0], -(e[1] - e[0])))
        out, last = [], 0
        for a, b, repl in edits:
            if a < last:
                continue
            out.append(text[last:a])
            out.append(repl)
            last = b
        out.append(text[last:])
        result = "".join(out).strip()
        if not _compact(result):  # nothing left once the fault is cut out ("100%"): no own-words fix
            return None
        lead = _LEAD_ADDRESS.match(result)  # "亲,非常抱歉…", not "非常抱歉,亲,…"
        cut_at = lead.end() if lead and prefixes else 0
        opening, result = result[:cut_at], result[cut_at:]
        head = ""
        body = _compact(opening + result)
        for p in prefixes:  # skip a prefix the reply already opens with ("亲,非常抱歉…")
            cp = _compact(p)
            # or one another prefix opens with: "亲," and "亲,您好!…" give "亲,您好!…", not "亲,亲,您好"
            if any(q != p and _compact(q).startswith(cp) for q in prefixes):
                continue
            if cp not in body[:len(cp) + 2]:
                head += p
        if opening and head and _compact(head).startswith(_compact(opening)):
            opening = ""  # "亲," + "亲,您好!…" is said once
        tail = ""
        for p in suffixes:
            cp = _compact(p)
            if cp not in body[-len(cp) - 2:]:
                tail += p
        if tail and result and result[-1] not in _CLAUSE_END:  # "好的亲" + "感谢您…" -> "好的亲,感谢您…"
            tail = "," + tail
        return opening + head + result + tail

    def _strength_hits(self, text: str, prep: Prepared, ctx: ReplyContext, reading, names) -> tuple[Strength, ...]:
        out: list[Strength] = []
        c = prep.compact
        spans = {h.name: h.matched for h in getattr(reading, "intents", ())}
        by_phrase: dict[int, str] = {}
        if self._strength_matcher is not None and c:
            for h in self._strength_matcher.scan(prep):
                s = self._strengths[h.key]
                if h.key in by_phrase:
                    continue
                if s.if_before and not any(e in c[:h.start] for e in s.if_before):
                    continue
                a, b = prep.orig_span(h.start, h.end)
                by_phrase[h.key] = text[a:b]
        for i, s in enumerate(self._strengths):
            got = None
            if s.intents:
                got = next((spans[n] for n in s.intents if n in spans), None)
            if got is None and i in by_phrase:
                got = by_phrase[i]
            if got is None and s.patterns and prep.analysed:
                for rx in s.patterns:
                    m = content_patterns.search(rx, prep.analysed)
                    if m and m.group().strip():
                        a, b = prep.orig_span_norm(*m.span())
                        got = text[a:b] or m.group()
                        break
            if got is None and s.raw_patterns:
                for rx in s.raw_patterns:
                    m = content_patterns.search(rx, text)
                    if m:
                        got = m.group()
                        break
            if got is None and s.check == "golden":
                if ctx.first and ctx.wait is not None and ctx.wait <= self._golden:
                    got = ""
            if got is not None:
                out.append(Strength(s.id, s.title, got))
        return tuple(out)


def example_context(ex) -> ReplyContext:
    """The chat context a rubric example names (see model.Example)."""
    nums: dict[str, float] = {}
    lists: dict[str, tuple] = {}
    for k, v in ex.facts:
        if isinstance(v, tuple):
            lists[k] = v
        else:
            nums[k] = float(v)
    return ReplyContext(stage=ex.stage, first=ex.first, wait=ex.wait, typing_seconds=ex.typing_seconds,
                        previous=tuple(ex.previous), others=tuple(ex.others), vars=nums, lists=lists,
                        buyer=ex.buyer)
