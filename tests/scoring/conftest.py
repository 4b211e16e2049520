import pytest

from game.scoring.rubric import load_rubric
from game.scoring.scorer import Scorer

from tests.conftest import CONTENT


@pytest.fixture(scope="session")
def rubric(library):
    reports, rub = load_rubric(CONTENT / "rules", library.intent_names)
    assert rub is not None, "\n".join(r.format() for r in reports)
    return rub


@pytest.fixture(scope="session")
def scorer(rubric, reader, library):
    return Scorer(rubric, reader, library.situations)
