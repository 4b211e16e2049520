"""320 malformed persona files (tests/fixtures/hostile, made by tests/fixtures/make_hostile.py from
shipped personas): none raises out of the loader, every problem names file:line:col, and the
shipped personas all still load beside them."""
from pathlib import Path

import pytest

from game.content.loader import load_library
from game.content.validate import check_file

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "tests" / "fixtures" / "hostile").glob("*.yaml"))


@pytest.fixture(scope="module")
def lib():
    return load_library(ROOT / "scenarios")


def test_the_corpus_is_big_enough():
    assert len(CORPUS) >= 300


def test_no_file_raises_and_every_problem_has_a_place(lib):
    broken = 0
    for path in CORPUS:
        report = check_file(lib, path)  # must not raise, whatever the file holds
        for p in report.problems:
            assert p.line >= 1 and p.col >= 1, (path.name, p.message)
        text = report.format()
        assert all(f"{report.path}:" in ln for ln in text.splitlines() if ": error:" in ln), path.name
        broken += not report.ok
    assert broken >= len(CORPUS) * 0.6  # most mutations break a file; some are harmless edits


def test_the_shipped_personas_play_beside_the_corpus():
    lib = load_library(ROOT / "scenarios", extra_personas=CORPUS)
    shipped = {p.stem for p in (ROOT / "scenarios" / "personas").glob("*.yaml") if not p.stem.endswith(".test")}
    assert shipped <= set(lib.personas)
