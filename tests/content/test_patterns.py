"""Content patterns that could freeze a turn are refused at load time, with their place (issue 14),
and the ones that load see a pasted essay window by window, so a fault at its end is still found."""
import shutil

import pytest

from game.content import patterns
from game.content.loader import load_library
from game.scoring.cli import make_scorer

from tests.conftest import CONTENT

RULE = """
  - id: pasted_trap
    category: forbidden
    severity: major
    title: 测试规则
    why: 只用来测试。
    patterns: ['{pattern}']
"""


@pytest.mark.parametrize("pattern, words", [
    (r"(\d+)+元", "inside another repeat"),
    (r"(?:好|好好)*吗", "varying length"),
    (r"(.{0,20})*吗", "varying length"),
    (r".*不.*行", "n^3"),
    (r"\d+\s*\d+元", "n^3"),
    (r"(亲)\1", "back-references"),
])
def test_a_catastrophic_rubric_pattern_is_an_error_and_the_rest_load(tmp_path, pattern, words):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    path = root / "rules" / "rubric-language.yaml"
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n" + RULE.format(pattern=pattern)
    path.write_text(text, encoding="utf-8")
    lib = load_library(root)
    assert lib.rubric.rule("pasted_trap") is None
    assert lib.rubric.rule("forbidden_buxing") is not None
    (bad,) = [r for r in lib.broken if r.path.endswith("rubric-language.yaml")]
    line = len(text.rstrip("\n").splitlines())
    msg = bad.format()
    assert f"rubric-language.yaml:{line}:" in msg and "unsafe pattern" in msg and words in msg
    assert "{0,20}" in msg  # the hint says what to write instead


def test_a_catastrophic_intent_pattern_is_an_error_at_its_place(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    path = root / "rules" / "intents.yaml"
    text = path.read_text(encoding="utf-8").replace("      - '你好(?!烦", "      - '(?:在|在在)+亲'\n      - '你好(?!烦", 1)
    path.write_text(text, encoding="utf-8")
    lib = load_library(root)
    (bad,) = [r for r in lib.broken if r.path.endswith("intents.yaml")]
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "(?:在|在在)+亲" in ln)
    assert f"intents.yaml:{line}:9: error: unsafe pattern in intent 'greet'" in bad.format()


@pytest.mark.parametrize("pattern", [
    r"x\d+y", r"[^,]+,[^,]+", r"^\s*[?.!~]+[?.!~\s]*$", r"(?:亲+[,\s]*)?好", r"(?P<n>\d+)\s*(?:元|块)",
    r"(?:\d{2}\s?)+号", r"(?<!不)(?:发给|告诉).{0,20}?(?:别人|外人)",
])
def test_ordinary_patterns_are_allowed(pattern):
    assert patterns.problem(pattern) is None


def test_every_shipped_pattern_is_safe(library):
    shipped = [(r.id, rx) for r in library.rubric.rules for rx in r.patterns]
    shipped += [(d.name, p) for d in library.intents for p in d.patterns]
    assert len(shipped) > 50
    for name, rx in shipped:
        src, flags = (rx.pattern, rx.flags) if hasattr(rx, "pattern") else (rx, 0)
        assert patterns.problem(src, flags) is None, name


def test_a_fault_at_the_end_of_a_pasted_essay_is_still_found(library):
    scorer = make_scorer(library)
    filler = "这款裙子是纯棉的,穿着很舒服,洗了也不会变形。" * 50  # about 1,150 characters
    assert len(filler) > 2 * patterns.WINDOW
    hits = [h for h in scorer.score(filler + "你自己看详情吧").hits if h.rule == "polite_ni"]
    assert [h.text for h in hits] == ["你"] and hits[0].start == len(filler)
    assert not [h for h in scorer.score(filler).hits if h.rule == "polite_ni"]


def test_windows_find_each_match_once_and_in_place():
    import re
    text = ("好" * 450) + "不行" + ("好" * 300) + "不行"
    hits = [m.span() for m in patterns.finditer(re.compile("不行"), text)]
    assert hits == [(450, 452), (752, 754)]
    assert [m.span() for m in patterns.finditer(re.compile("^好"), text)] == [(0, 1)]
