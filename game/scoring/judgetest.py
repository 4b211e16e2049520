"""How often the scorer agrees with a team lead: ``main.py judge-test FILE``.

The file holds ``pairs`` (a buyer message, two replies ``a`` and ``b``, which is ``better``) and
``singles`` (a buyer message, a ``reply``, ``faulty: true/false``). A pair agrees when the better
reply scores strictly higher, ties when both score the same; a single is flagged when the scorer
finds any fault in it (a severity with `fault: false`, the "tip", is advice, not a fault).
The held-out set in tests/scoring/ was written blind to the scorer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Pair:
    buyer: str
    a: str
    b: str
    better: str  # "a" or "b"
    situation: str = ""
    line: int = 0
    shop: str = ""


@dataclass(frozen=True)
class Single:
    buyer: str
    reply: str
    faulty: bool
    fault: str = ""
    situation: str = ""
    line: int = 0
    shop: str = ""


@dataclass
class JudgeScores:
    agree: int = 0
    tie: int = 0
    wrong: int = 0
    caught: int = 0  # faulty singles flagged
    missed: int = 0  # faulty singles not flagged
    false_alarm: int = 0  # clean singles flagged
    clean: int = 0  # clean singles left alone
    situations_labelled: int = 0  # buyer messages with a situation label
    situations_read: int = 0  # ... that the scorer read as that situation
    disagreements: list = field(default_factory=list)

    @property
    def pairs(self) -> int:
        return self.agree + self.tie + self.wrong

    def as_dict(self) -> dict:
        n, faulty, ok = self.pairs, self.caught + self.missed, self.false_alarm + self.clean
        return {
            "pairs": n, "agree": self.agree, "tie": self.tie, "wrong": self.wrong,
            "agreement": round(self.agree / n, 4) if n else None,
            "ties": round(self.tie / n, 4) if n else None,
            "singles_faulty": faulty, "recall": round(self.caught / faulty, 4) if faulty else None,
            "singles_clean": ok, "false_positives": round(self.false_alarm / ok, 4) if ok else None,
            "situations_labelled": self.situations_labelled,
            "situations_read": round(self.situations_read / self.situations_labelled, 4)
            if self.situations_labelled else None,
            "disagreements": self.disagreements,
        }


def _lines(text: str, key: str) -> list[int]:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is None:
        return []
    for k, v in node.value:
        if k.value == key and hasattr(v, "value") and isinstance(v.value, list):
            return [item.start_mark.line + 1 for item in v.value]
    return []


def load_judge_set(path: Path) -> tuple[list[Pair], list[Single]]:
    """Pairs and singles from a YAML file; a malformed item is an error naming its line."""
    text = Path(path).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping with 'pairs' and/or 'singles'")
    pairs, singles = [], []
    for key, lines in (("pairs", _lines(text, "pairs")), ("singles", _lines(text, "singles"))):
        items = data.get(key) or []
        if not isinstance(items, list):
            raise ValueError(f"{path}: '{key}' must be a list")
        for i, it in enumerate(items):
            line = lines[i] if i < len(lines) else 0
            where = f"{path}:{line}"
            if not isinstance(it, dict) or not isinstance(it.get("buyer", ""), str):
                raise ValueError(f"{where}: each item is a mapping with a 'buyer' message")
            if key == "pairs":
                if not isinstance(it.get("a"), str) or not isinstance(it.get("b"), str):
                    raise ValueError(f"{where}: a pair needs replies 'a' and 'b'")
                if it.get("better") not in ("a", "b"):
                    raise ValueError(f"{where}: 'better' must be a or b, not {it.get('better')!r}")
                pairs.append(Pair(it.get("buyer", ""), it["a"], it["b"], it["better"],
                                  str(it.get("situation") or ""), line, str(it.get("shop") or "")))
            else:
                if not isinstance(it.get("reply"), str) or not isinstance(it.get("faulty"), bool):
                    raise ValueError(f"{where}: a single needs a 'reply' and 'faulty: true/false'")
                singles.append(Single(it.get("buyer", ""), it["reply"], it["faulty"], str(it.get("fault") or ""),
                                      str(it.get("situation") or ""), line, str(it.get("shop") or "")))
    return pairs, singles


def judge(scorer, pairs: list[Pair], singles: list[Single], shops: dict | None = None,
          use_buyer: bool = True) -> JudgeScores:
    """Score every pair and single. With ``use_buyer`` each reply is judged against the buyer's
    message and the shop it names (``shop:``, else guessed from the names the lines mention);
    without it, alone, as ``check-reply`` without ``--buyer`` does. The ``situation`` labels are
    never given to the scorer: they only count how often it read the buyer right."""
    from .judge import guess_shop, products_context
    from .scorer import ReplyContext

    shops = shops or {}

    def context(buyer: str, shop_id: str, *replies: str) -> ReplyContext:
        if not use_buyer:
            return ReplyContext()
        if shop_id in shops:
            shop = shops[shop_id]
            _s, products = guess_shop({shop.id: shop}, buyer, *replies)
        else:
            shop, products = guess_shop(shops, buyer, *replies)
        nums, lists = products_context(shop, products) if shop is not None else ({}, {})
        return ReplyContext(buyer=buyer, vars=nums, lists=lists)

    def read_right(item) -> None:
        if use_buyer and item.situation and getattr(scorer, "situations", None) is not None:
            s.situations_labelled += 1
            if scorer.classify_buyer(item.buyer).situation == item.situation:
                s.situations_read += 1

    s = JudgeScores()
    for p in pairs:
        read_right(p)
        ctx = context(p.buyer, p.shop, p.a, p.b)
        sa = scorer.score(p.a, ctx).score
        sb = scorer.score(p.b, ctx).score
        good, bad = (sa, sb) if p.better == "a" else (sb, sa)
        if good > bad:
            s.agree += 1
            continue
        if good == bad:
            s.tie += 1
        else:
            s.wrong += 1
        s.disagreements.append({"line": p.line, "kind": "tie" if good == bad else "wrong", "buyer": p.buyer,
                                "better": p.a if p.better == "a" else p.b, "worse": p.b if p.better == "a" else p.a,
                                "scores": [good, bad]})
    for one in singles:
        read_right(one)
        res = scorer.score(one.reply, context(one.buyer, one.shop, one.reply))
        flagged = bool(res.faults)
        if one.faulty and flagged:
            s.caught += 1
        elif one.faulty:
            s.missed += 1
            s.disagreements.append({"line": one.line, "kind": "missed", "buyer": one.buyer, "reply": one.reply,
                                    "fault": one.fault})
        elif flagged:
            s.false_alarm += 1
            s.disagreements.append({"line": one.line, "kind": "false alarm", "buyer": one.buyer, "reply": one.reply,
                                    "rules": [h.rule for h in res.faults]})
        else:
            s.clean += 1
    return s


def format_judge(path, s: JudgeScores, show: int = 30) -> str:
    d = s.as_dict()
    out = [f"Judge test: {path}"]
    if s.pairs:
        out.append(f"  pairs {s.pairs}: agree {s.agree} ({d['agreement']:.1%}), ties {s.tie} ({d['ties']:.1%}), "
                   f"wrong way {s.wrong}")
    if d["singles_faulty"]:
        out.append(f"  faulty singles {d['singles_faulty']}: caught {s.caught} (recall {d['recall']:.1%})")
    if d["singles_clean"]:
        out.append(f"  clean singles {d['singles_clean']}: flagged {s.false_alarm} "
                   f"(false positives {d['false_positives']:.1%})")
    if s.situations_labelled:
        out.append(f"  buyer situations read as labelled: {s.situations_read}/{s.situations_labelled} "
                   f"({d['situations_read']:.1%})")
    if s.disagreements and show:
        out.append(f"  disagreements ({len(s.disagreements)}; first {min(show, len(s.disagreements))}):")
        for x in s.disagreements[:show]:
            if x["kind"] in ("tie", "wrong"):
                out.append(f"    {x['line']}: {x['kind']} {x['scores'][0]}/{x['scores'][1]}  better: {x['better']}"
                           f"  | worse: {x['worse']}")
            elif x["kind"] == "missed":
                out.append(f"    {x['line']}: missed ({x['fault']}): {x['reply']}")
            else:
                out.append(f"    {x['line']}: false alarm {','.join(x['rules'])}: {x['reply']}")
    return "\n".join(out)
