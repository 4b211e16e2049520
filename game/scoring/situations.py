"""Buyer situations (rules/situations.yaml): what a buyer's message asks for and what a good answer does.

A reply is judged against the message it answers. The buyer's message is read by a classifier
trained on each situation's example buyer lines (the reader's machinery: character n-grams, jieba
words and sentence embeddings); the reply's moves are the trainee intents the reader finds in it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from game.content.diagnostics import Report, unknown
from game.content.schema import Shape
from game.content.yamlpos import PosDict, PosList

SEVERITIES = ("minor", "major", "severe")
SITUATION_ID = r"^[a-z][a-z0-9_]*$"
# A buyer message reads as a situation when its classifier is this sure, or when a cue word of it
# appears and the classifier gives it at least CUE_FLOOR (a cue alone is a topic, not a request).
MAX_BUYER_CHARS = 300  # of a buyer's message read to find its situation
THRESHOLD = 0.5
CUE_FLOOR = 0.15
# ... or when it is fairly sure and well ahead of the next situation.
TOP_FLOOR, TOP_MARGIN = 0.3, 0.2


@dataclass(frozen=True)
class Move:
    id: str
    title: str
    intents: tuple[str, ...]
    weight: float = 1.0
    required: bool = False
    words: tuple[str, ...] = ()  # also met when the reply says one of these (运费 for "who pays the postage")
    once: bool = False  # met once for the whole chat (an apology said is not owed again in every message)


@dataclass(frozen=True)
class SituationFault:
    id: str
    title: str
    why: str
    intents: tuple[str, ...]
    unless: tuple[str, ...] = ()
    severity: str = "minor"
    unless_words: tuple[str, ...] = ()  # compact words that make it no fault (a lawful refusal)
    unless_buyer_words: tuple[str, ...] = ()  # ... or words of the buyer's message (开胶: a quality problem)


@dataclass(frozen=True)
class Situation:
    id: str
    title: str
    moves: tuple[Move, ...] = ()
    faults: tuple[SituationFault, ...] = ()
    answers: tuple[str, ...] = ()
    buyer: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    line: int = 0

    @property
    def total_weight(self) -> float:
        return sum(m.weight for m in self.moves)


@dataclass(frozen=True)
class MoveCheck:
    """One move of the situation and whether the reply makes it."""
    move: Move
    met: bool
    text: str = ""  # the words that make it

    def to_dict(self) -> dict:
        return {"move": self.move.id, "title": self.move.title, "required": self.move.required,
                "weight": self.move.weight, "met": self.met, "text": self.text}


@dataclass(frozen=True)
class Classified:
    situation: str | None
    confidence: float = 0.0
    ranked: tuple[tuple[str, float], ...] = ()


@dataclass
class Situations:
    """Every situation, and the classifier of buyer messages (built on first use)."""
    items: dict[str, Situation] = field(default_factory=dict)
    path: str = ""
    details: tuple[str, ...] = ()  # compact words of a concrete answer
    units: re.Pattern[str] | None = None  # numbers with a unit (detail_units, detail_counters)
    _model: object = None
    _encoder: object = None
    _built: bool = False

    def __bool__(self) -> bool:
        return bool(self.items)

    def get(self, sid: str | None) -> Situation | None:
        return self.items.get(sid) if sid else None

    def training_set(self):
        from game.language import learned
        ts = learned.TrainingSet(names=list(self.items))
        for s in self.items.values():
            for t in s.buyer:
                ts.add(t, s.id)
        return ts

    def build(self, encoder=None, design=None) -> None:
        """Train (or load from the cache) the buyer-message classifier."""
        from game.language import learned
        if self._built:
            return
        self._encoder = encoder
        d = design or learned.DEFAULT_DESIGN
        if encoder is None:
            from dataclasses import replace
            d = replace(d, embed=False)
        self._model = learned.trained(self.training_set(), d, encoder, prefix="situations")
        self._built = True

    def classify(self, text: str) -> Classified:
        """The situation a buyer message is in (None when nothing is sure)."""
        from game.language.normalize import compact_phrase, normalize
        if not text or not self.items:
            return Classified(None)
        text = text[:MAX_BUYER_CHARS]  # a buyer's message is far shorter; a paste costs no more than one
        if not self._built:
            self.build()
        model = self._model
        if model is None:
            return Classified(None)
        n = normalize(text)
        emb = self._encoder.encode([n]) if (self._encoder is not None and model.dense is not None) else None
        probs = model.scores([n], emb)[0]
        order = np.argsort(-probs)
        ranked = tuple((model.names[i], float(probs[i])) for i in order[:3])
        best, p = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        if p >= THRESHOLD or (p >= TOP_FLOOR and p - second >= TOP_MARGIN):
            return Classified(best, p, ranked)
        c = compact_phrase(text)
        for sid, q in ranked:
            s = self.items[sid]
            if q >= CUE_FLOOR and any(cue in c for cue in s.cues):
                return Classified(sid, q, ranked)
        return Classified(None, p, ranked)


def check_moves(situation: Situation, reading, earlier=(), chat=()) -> tuple[MoveCheck, ...]:
    """The situation's moves, each met by the reply or by an ``earlier`` reading on the same topic;
    a ``once`` move also by any reading of the ``chat`` before it."""
    hits, before = {}, {}
    for r in (*earlier, reading):
        hits.update({h.name: h.matched for h in getattr(r, "intents", ())})
    for r in chat:
        before.update({h.name: h.matched for h in getattr(r, "intents", ())})
    out = []
    for m in situation.moves:
        got = next((hits[i] for i in m.intents if i in hits), None)
        if got is None and m.once:
            got = next((before[i] for i in m.intents if i in before), None)
        if got is None and m.words:
            said = getattr(reading, "normalized", "") or ""
            got = next((w for w in m.words if w in said), None)
        out.append(MoveCheck(m, got is not None, got or ""))
    return tuple(out)


_CN_NUM = "一二两三四五六七八九十百千"


def unit_pattern(units: tuple[str, ...], counters: tuple[str, ...]) -> re.Pattern[str] | None:
    """Numbers with a unit after them or a counter before them. A number is matched only from the
    start of its run of digits (the look-behind), so a pasted run of digits costs linear time."""
    alt = lambda ws: "|".join(re.escape(w) for w in sorted(ws, key=len, reverse=True))  # noqa: E731
    parts = []
    if units:
        parts.append(rf"(?:(?<![\d.])\d+(?:\.\d+)?|(?<![{_CN_NUM}半])[{_CN_NUM}半]+)\s*(?:{alt(units)})")
    if counters:
        parts.append(rf"(?:{alt(counters)})\s*(?:\d+|[{_CN_NUM}]+)")
    return re.compile("|".join(parts), re.I) if parts else None


def concrete_details(text: str, words: tuple[str, ...], facts: dict | None = None,
                     units: re.Pattern[str] | None = None) -> list[str]:
    """The distinct concrete details of a reply: numbers with a unit, the shop's facts, detail words."""
    from game.content.patterns import finditer
    from game.language.normalize import compact_phrase
    c = compact_phrase(text)
    found = [m.group() for m in finditer(units, c.lower())] if units is not None else []
    for w in words:
        if w and w in c:
            found.append(w)
    for vals in (facts or {}).values():
        for v in vals:
            v = compact_phrase(str(v[0] if isinstance(v, tuple) else v))
            if len(v) >= 2 and v in c:
                found.append(v)
    # a word inside a longer one found too (天天快递 / 快递) counts once
    out = []
    for w in sorted(dict.fromkeys(found), key=len, reverse=True):
        if not any(w in o for o in out):
            out.append(w)
    return out


def fault_moves(situation: Situation, reading, buyer: str | None = None) -> list[tuple[SituationFault, object]]:
    """(fault, the intent hit that makes it) for the situation's faults the reply commits."""
    names = set(getattr(reading, "names", ()) or ())
    c = _compact(getattr(reading, "text", "") or "")
    cb = _compact(buyer or "")
    out = []
    for f in situation.faults:
        if names & set(f.unless) or any(w in c for w in f.unless_words):
            continue
        if any(w in cb for w in f.unless_buyer_words):
            continue
        hit = next((h for h in getattr(reading, "intents", ()) if h.name in f.intents), None)
        if hit is not None:
            out.append((f, hit))
    return out


# ---------------------------------------------------------------- loading

def _texts(sh: Shape, d: PosDict, key: str, where: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in sh.text_list(d, key, where, allow_scalar=False) if t.strip())


def load_situations(path: Path, intent_names=None) -> tuple[Report, Situations]:
    """rules/situations.yaml, each problem with file:line:col; a broken situation is left out."""

    from game.content.loader import _read
    report, d = _read(path)
    out = Situations(path=report.path)
    if d is None:
        return report, out
    sh = Shape(report)
    sh.keys(d, "the situations file", {"version": None, "details": list, "detail_units": list,
                                       "detail_counters": list, "situations": dict}, required=("situations",))
    sh.version(d)
    out.details = tuple(dict.fromkeys(_compact(w) for w in _texts(sh, d, "details", "the situations file")
                                      if _compact(w)))
    out.units = unit_pattern(_texts(sh, d, "detail_units", "the situations file"),
                             _texts(sh, d, "detail_counters", "the situations file"))
    items = d.get("situations")
    if not isinstance(items, PosDict):
        return report, out
    known = set(intent_names) if intent_names is not None else None
    for sid, spec in items.items():
        where = f"situation '{sid}'"
        mark = items.value_mark(sid)
        if not re.match(SITUATION_ID, str(sid)):
            report.error(items.key_mark(sid), f"situation id '{sid}' must be lower-case letters, digits or _")
            continue
        if not sh.mapping(spec, mark, where):
            continue
        before = len(report.errors)
        sh.keys(spec, where, {"title": str, "moves": list, "faults": list, "answers": list, "buyer": list,
                              "cues": list}, required=("title", "moves"))

        def intents_of(m: PosDict, key: str, w: str) -> tuple[str, ...]:
            vals = sh.text_list(m, key, w, allow_scalar=False)
            lst = m.get(key)
            if known is not None:
                for i, it in enumerate(vals):
                    if it not in known:
                        report.error(lst.item_mark(i), *unknown("intent", it, known))
            return vals

        moves = []
        ml = spec.get("moves")
        if isinstance(ml, PosList):
            seen = set()
            for i, m in enumerate(ml):
                w = f"{where} move {i + 1}"
                if not sh.mapping(m, ml.item_mark(i), w):
                    continue
                sh.keys(m, w, {"id": str, "title": str, "intents": list, "weight": float, "required": bool,
                                 "words": list, "once": bool},
                        required=("id", "title", "intents"))
                mid = m.get("id")
                if mid in seen:
                    report.error(m.value_mark("id"), f"{w}: move '{mid}' is listed twice")
                seen.add(mid)
                ints = intents_of(m, "intents", w)
                weight = sh.number(m, "weight", w, lo=0, hi=100, default=1.0)
                if isinstance(mid, str) and isinstance(m.get("title"), str) and ints:
                    words = tuple(str(x) for x in (m.get("words") or ()) if isinstance(x, str) and x)
                    moves.append(Move(mid, m["title"], ints, float(weight if weight is not None else 1.0),
                                      bool(m.get("required", False)), words, bool(m.get("once", False))))
            if not moves and len(report.errors) == before:
                report.error(ml.mark if hasattr(ml, "mark") else mark, f"{where} has no moves",
                             "list what a good answer does: - {id: ..., title: ..., intents: [...]}")
        faults = []
        fl = spec.get("faults")
        if isinstance(fl, PosList):
            for i, f in enumerate(fl):
                w = f"{where} fault {i + 1}"
                if not sh.mapping(f, fl.item_mark(i), w):
                    continue
                sh.keys(f, w, {"id": str, "title": str, "why": str, "intents": list, "unless": list, "severity": str,
                               "unless_words": list, "unless_buyer_words": list},
                        required=("id", "title", "why", "intents"))
                sev = f.get("severity", "minor")
                if sev not in SEVERITIES:
                    report.error(f.value_mark("severity"), *unknown("severity", str(sev), SEVERITIES))
                ints, unl = intents_of(f, "intents", w), intents_of(f, "unless", w) if "unless" in f else ()
                if all(isinstance(f.get(k), str) for k in ("id", "title", "why")) and ints:
                    faults.append(SituationFault(f["id"], f["title"], f["why"], ints, unl, str(sev),
                                                 tuple(_compact(x) for x in _texts(sh, f, "unless_words", w)),
                                                 tuple(_compact(x) for x in _texts(sh, f, "unless_buyer_words", w))))
        if len(report.errors) > before:
            continue
        out.items[str(sid)] = Situation(
            str(sid), spec["title"], tuple(moves), tuple(faults), _texts(sh, spec, "answers", where),
            _texts(sh, spec, "buyer", where), tuple(_compact(c) for c in _texts(sh, spec, "cues", where)),
            mark.line)
    trained = [s for s in out.items.values() if s.buyer]
    if out.items and len(trained) < 2:
        report.warning(getattr(items, "mark", None) or mark, "fewer than two situations have buyer examples",
                       "add `buyer:` lines so messages can be told apart")
    return report, out


def _compact(text: str) -> str:
    from game.language.normalize import compact_phrase
    return compact_phrase(text)
