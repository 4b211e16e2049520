"""The rubric files are their own test table: every example must hit its rule, no counter-example may,
and a rewrite the scorer proposes for an example no longer breaks the rule."""
from pathlib import Path

import pytest

from game.content.loader import load_library
from game.scoring.rubric import load_rubric
from game.scoring.scorer import example_context

CONTENT = Path(__file__).resolve().parents[2] / "scenarios"
_LIB = load_library(CONTENT)
_REPORTS, RUBRIC = load_rubric(CONTENT / "rules", _LIB.intent_names)


def _params(kind):
    out = []
    for rule in RUBRIC.rules if RUBRIC else ():
        for ex in getattr(rule, kind):
            out.append(pytest.param(rule.id, ex, id=f"{rule.id}/{ex.text[:30]}"))
    return out


def test_rubric_files_load_without_problems():
    problems = [p.format() for r in _REPORTS for p in r.problems]
    assert RUBRIC is not None and not problems, "\n".join(problems)


@pytest.mark.parametrize("rule_id, ex", _params("examples"))
def test_example_hits_its_rule(scorer, rule_id, ex):
    res = scorer.score(ex.text, example_context(ex))
    assert rule_id in res.rules, f"{ex.text!r} hit {res.rules}"
    hit = next(h for h in res.hits if h.rule == rule_id)
    assert 0 <= hit.start <= hit.end <= len(ex.text) and hit.text == ex.text[hit.start:hit.end]
    assert hit.start < hit.end or not ex.text.strip()  # only an empty reply has an empty span
    assert hit.why and hit.suggestion
    rule = RUBRIC.rule(rule_id)
    if hit.suggestion != rule.rewrite and not hit.suggestion.startswith("分成"):
        again = scorer.score(hit.suggestion, example_context(ex))
        assert rule_id not in again.rules, f"rewrite {hit.suggestion!r} still breaks {rule_id}"


@pytest.mark.parametrize("rule_id, ex", _params("counter_examples"))
def test_counter_example_does_not(scorer, rule_id, ex):
    res = scorer.score(ex.text, example_context(ex))
    assert rule_id not in res.rules, f"{ex.text!r} hit {[(h.rule, h.text) for h in res.hits]}"


def test_model_rewrites_are_clean_of_their_own_rule(scorer):
    for rule in RUBRIC.rules:
        if rule.check in ("stage",):
            continue
        res = scorer.score(rule.rewrite)
        assert rule.id not in res.rules, (rule.id, rule.rewrite)
