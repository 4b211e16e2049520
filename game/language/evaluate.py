"""How well the reader understands: ``main.py nlu-test`` (like ``rasa test nlu``).

Two measurements:
* cross-validation: the intents' own examples split in k folds; each fold is read by a reader
  trained without it (phrases and patterns stay, they are the author's rules);
* a labelled file of replies (``replies: [{text, intents: [...]}, ...]``), read by the reader as
  shipped. The held-out set in tests/ is written apart from the examples and never trained on.

Both give precision, recall and F1 per intent (a reply's intents are a set: multi-label), the
macro F1, the share of replies read exactly, the confusions and the misread lines.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import yaml


@dataclass(frozen=True)
class Labelled:
    text: str
    intents: frozenset[str]
    line: int = 0
    buyer: str = ""


@dataclass
class Scores:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    support: Counter = field(default_factory=Counter)
    exact: int = 0
    total: int = 0
    confusions: Counter = field(default_factory=Counter)  # (gold missed, read instead) -> n
    misread: list[tuple[Labelled, frozenset[str]]] = field(default_factory=list)

    def add(self, item: Labelled, got: frozenset[str]) -> None:
        self.total += 1
        gold = item.intents
        for n in gold:
            self.support[n] += 1
        for n in gold & got:
            self.tp[n] += 1
        for n in got - gold:
            self.fp[n] += 1
        for n in gold - got:
            self.fn[n] += 1
        if gold == got:
            self.exact += 1
        else:
            self.misread.append((item, got))
            extra = got - gold
            for m in gold - got:
                for e in extra or {"(nothing)"}:
                    self.confusions[(m, e)] += 1
            if not gold - got:
                for e in extra:
                    self.confusions[("(none)", e)] += 1

    def intents(self) -> list[str]:
        return sorted(set(self.support) | set(self.fp))

    def prf(self, name: str) -> tuple[float, float, float]:
        tp, fp, fn = self.tp[name], self.fp[name], self.fn[name]
        p = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
        r = tp / (tp + fn) if tp + fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    def macro_f1(self) -> float:
        names = [n for n in self.intents() if self.support[n]]
        return float(np.mean([self.prf(n)[2] for n in names])) if names else 0.0

    def micro(self) -> tuple[float, float, float]:
        tp, fp, fn = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def as_dict(self) -> dict:
        return {
            "replies": self.total,
            "exact": self.exact,
            "macro_f1": round(self.macro_f1(), 4),
            "micro": [round(x, 4) for x in self.micro()],
            "intents": {n: dict(zip(("precision", "recall", "f1"), (round(x, 4) for x in self.prf(n))),
                                support=self.support[n]) for n in self.intents()},
            "confusions": [{"gold": g, "read": e, "count": c} for (g, e), c in self.confusions.most_common()],
            "misread": [{"line": it.line, "text": it.text, "gold": sorted(it.intents), "read": sorted(got)}
                        for it, got in self.misread],
        }


def load_labelled(path: Path, known: Iterable[str] | None = None) -> list[Labelled]:
    """Labelled replies from a YAML file; an unknown intent name is an error naming the line."""
    from game.content.diagnostics import did_you_mean

    node = yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("replies"), list):
        raise ValueError(f"{path}: expected a mapping with a 'replies' list")
    lines: list[int] = []
    if node is not None:
        for k, v in node.value:
            if k.value == "replies":
                lines = [item.start_mark.line + 1 for item in v.value]
    known = set(known) if known is not None else None
    out = []
    for i, item in enumerate(data["replies"]):
        line = lines[i] if i < len(lines) else 0
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise ValueError(f"{path}:{line}: each reply needs a 'text'")
        names = item.get("intents") or []
        if not isinstance(names, list):
            raise ValueError(f"{path}:{line}: 'intents' must be a list")
        if known is not None:
            for n in names:
                if n not in known:
                    hint = did_you_mean(str(n), known)
                    raise ValueError(f"{path}:{line}: unknown intent '{n}'" + (f"; {hint}" if hint else ""))
        out.append(Labelled(item["text"], frozenset(map(str, names)), line, str(item.get("buyer") or "")))
    return out


def score(reader, items: Sequence[Labelled], names: Iterable[str] | None = None) -> Scores:
    """Read every item; only intents in ``names`` (default: all the reader knows) count."""
    keep = set(names) if names is not None else set(reader.intent_names)
    s = Scores()
    for it in items:
        got = frozenset(n for n in reader.read(it.text).names if n in keep)
        s.add(replace(it, intents=it.intents & keep), got)
    return s


def cross_validate(intents, lexicon=None, folds: int = 5, seed: int = 0, **reader_kw) -> Scores:
    """k-fold over the intents' examples and labelled replies: each fold read by a reader
    trained without it."""
    from game.language import learned
    from game.language.reader import Reader

    labels: dict[str, set[str]] = {}
    for d in intents:
        for t in d.examples + d.replies:
            labels.setdefault(t.strip(), set()).add(d.name)
    texts = sorted(t for t in labels if t)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(texts))
    fold_of = {texts[j]: k % folds for k, j in enumerate(order)}
    s = Scores()
    for f in range(folds):
        held = {t for t in texts if fold_of[t] == f}
        train = [replace(d, examples=tuple(t for t in d.examples if t.strip() not in held),
                         replies=tuple(t for t in d.replies if t.strip() not in held)) for d in intents]
        with learned.no_disk_cache():
            reader = Reader(train, lexicon, **reader_kw)
        for t in sorted(held):
            got = frozenset(reader.read(t).names) & set(reader.intent_names)
            s.add(Labelled(t, frozenset(labels[t])), got)
    return s


# ---------------------------------------------------------------- printing

def format_scores(title: str, s: Scores, misread: int = 40) -> str:
    out = [title]
    p, r, f = s.micro()
    out.append(f"  replies {s.total}, read exactly {s.exact} ({s.exact / max(s.total, 1):.1%}); "
               f"macro F1 {s.macro_f1():.3f}; micro P {p:.3f} R {r:.3f} F1 {f:.3f}")
    out.append(f"  {'intent':<20} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>5}")
    for n in s.intents():
        pp, rr, ff = s.prf(n)
        flag = "  <" if s.support[n] and ff < 0.85 else ""
        out.append(f"  {n:<20} {pp:6.3f} {rr:6.3f} {ff:6.3f} {s.support[n]:5d}{flag}")
    if s.confusions:
        out.append("  confusions (missed -> read instead: count):")
        for (g, e), c in s.confusions.most_common(15):
            out.append(f"    {g} -> {e}: {c}")
    if s.misread and misread:
        out.append(f"  misread lines ({len(s.misread)}; first {min(misread, len(s.misread))}):")
        for it, got in s.misread[:misread]:
            where = f"{it.line}: " if it.line else ""
            miss = ",".join(sorted(it.intents - got)) or "-"
            extra = ",".join(sorted(got - it.intents)) or "-"
            out.append(f"    {where}{it.text}  [missed {miss}; extra {extra}]")
    return "\n".join(out)
