"""The built-in library as trainers and trainees rely on it."""
import numpy as np
import pytest

from game.engine.clock import ManualClock
from game.engine.conversation import Conversation

# Every buyer situation the seeds describe (issue: the built-in scenario library).
REQUIRED_ARCHETYPES = [
    "haggler", "gift_seeker", "free_shipping", "chatterer", "authenticity", "invoice", "exchange", "stock",
    "shipping", "cash_on_delivery", "bulk_buyer", "indecisive", "out_of_stock", "size_advice",
    "product_question", "damaged_goods", "lost_parcel", "bad_review_threat", "first_timer", "offline",
    "return_no_fault", "address_change",
]


@pytest.mark.parametrize("archetype", REQUIRED_ARCHETYPES)
def test_every_archetype_has_a_persona(library, archetype):
    assert any(p.archetype == archetype for p in library.personas.values()), f"no persona of type {archetype}"


GOOD_MIN_TOTAL = 80  # issue 4: a good-agent script ends in success with a report total >= 80
BAD_MAX_TOTAL = 50  # and a bad-agent script ends lost or in a bad review with a total <= 50


def test_every_persona_has_a_good_and_a_bad_script(library):
    """The gate `test-scenarios` enforces: every persona's good and bad script states the totals."""
    from game.content.testcases import load_tests
    problems = []
    for p in sorted(library.personas.values(), key=lambda p: p.id):
        test_file = library.root / "personas" / f"{p.id}.test.yaml"
        if not test_file.exists():
            problems.append(f"{p.id}: no test file")
            continue
        rep, tf = load_tests(test_file, library)
        assert tf is not None, rep.format()
        names = {c.name: c for c in tf.cases}
        good, bad = names.get("good-agent"), names.get("bad-agent")
        if good is None or bad is None:
            problems.append(f"{p.id}: needs a 'good-agent' and a 'bad-agent' case")
            continue
        if good.expect.outcomes != ("success",):
            problems.append(f"{p.id} good-agent: expect outcome success, not {good.expect.outcomes}")
        if good.expect.min_total is None or good.expect.min_total < GOOD_MIN_TOTAL:
            problems.append(f"{p.id} good-agent: expect needs 'min_total: {GOOD_MIN_TOTAL}'")
        if not bad.expect.outcomes or not set(bad.expect.outcomes) <= {"lost", "bad_review"}:
            problems.append(f"{p.id} bad-agent: expect outcome lost or bad_review, not {bad.expect.outcomes or 'any'}")
        if bad.expect.max_total is None or bad.expect.max_total > BAD_MAX_TOTAL:
            problems.append(f"{p.id} bad-agent: expect needs 'max_total: {BAD_MAX_TOTAL}'")
    assert not problems, "\n".join(problems)


def _beginners(library):
    return [p for p in library.personas.values() if p.difficulty == 1]


def test_beginner_personas_offer_choices_on_every_state_a_trainee_answers(library):
    assert _beginners(library)
    for p in _beginners(library):
        for name, state in p.states.items():
            if not state.end:
                assert 2 <= len(state.choices) <= 4, f"{p.id}:{name} has no choices"
                assert sum(c.best for c in state.choices) == 1


@pytest.mark.parametrize("pid", ["chatty-office-lady"] + [])
def test_choosing_is_the_same_as_typing(library, reader, pid):
    p = library.personas[pid]
    a_clock, b_clock = ManualClock(), ManualClock()
    a = Conversation(p, reader, a_clock, np.random.default_rng(1), defaults=library.buyer_defaults)
    b = Conversation(p, reader, b_clock, np.random.default_rng(1), defaults=library.buyer_defaults)
    for clock in (a_clock, b_clock):
        clock.advance(3)
    a.tick(), b.tick()
    text = a.choices[0].text
    a.choose(0)
    b.trainee_says(text)
    assert a.state == b.state and a.mood == b.mood and a.transcript[-1].text == b.transcript[-1].text


def test_best_choices_lead_every_beginner_persona_to_success(library, reader):
    for p in _beginners(library):
        clock = ManualClock()
        conv = Conversation(p, reader, clock, np.random.default_rng(7), defaults=library.buyer_defaults)
        for _ in range(30):
            clock.advance(2)
            conv.tick()
            if conv.finished:
                break
            if conv.buyer_typing:
                continue
            best = next(i for i, c in enumerate(conv.choices) if c.best)
            conv.choose(best)
        for _ in range(20):
            clock.advance(1)
            conv.tick()
        assert conv.outcome == "success", f"{p.id}: best choices ended {conv.outcome} in {conv.state}"
