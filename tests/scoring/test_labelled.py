"""A labelled set of trainee replies beyond the rubric's own examples: recall and false positives."""
from pathlib import Path

import pytest
import yaml

from game.scoring.model import Example
from game.scoring.scorer import example_context

CASES = yaml.safe_load((Path(__file__).parent / "labelled_replies.yaml").read_text(encoding="utf-8"))


def _example(case) -> Example:
    ctx = case.get("context") or {}
    facts = []
    for k, v in (ctx.get("facts") or {}).items():
        if k == "couriers":
            facts.append((k, tuple((str(a), float(b)) for a, b in v.items())))
        elif isinstance(v, list):
            facts.append((k, tuple(str(x) for x in v)))
        else:
            facts.append((k, float(v)))
    return Example(case["text"], stage=ctx.get("stage"), first=bool(ctx.get("first", False)), wait=ctx.get("wait"),
                   typing_seconds=ctx.get("typing_seconds"), previous=tuple(ctx.get("previous", ())),
                   others=tuple(str(o) for o in ctx.get("others", ())), facts=tuple(facts),
                   buyer=ctx.get("buyer"))


def test_the_set_is_big_and_covers_every_category(rubric):
    assert len(CASES) >= 120
    labelled = set()
    for c in CASES:
        for label in c.get("hit", []):
            rule = rubric.rule(label)
            labelled.add(rule.category if rule else label)
    assert set(rubric.config.categories) <= labelled


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["text"][:24])
def test_labelled_reply(scorer, rubric, case):
    res = scorer.score(case["text"], example_context(_example(case)))
    found = {(h.rule, h.category) for h in res.hits}
    for label in case.get("hit", []):
        assert any(label in pair for pair in found), f"{case['text']!r}: expected {label}, got {sorted(found)}"
    miss = case.get("miss", [])
    if miss == "all":
        assert not found, f"{case['text']!r}: expected no fault, got {sorted(found)}"
    else:
        for label in miss:
            assert not any(label in pair for pair in found), f"{case['text']!r}: {label} is a false positive"
