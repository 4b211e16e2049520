"""The intents file is its own test table: every example must read as its intent,
no counter-example may."""

from pathlib import Path

import pytest
import yaml

from game.language.reader import Reader
from game.language.vocab import intents_from_data

RULES = Path(__file__).resolve().parents[2] / "scenarios" / "rules" / "intents.yaml"
DEFS = intents_from_data(yaml.safe_load(RULES.read_text(encoding="utf-8")))

EXPECTED = {
    "greet", "ask_need", "introduce_product", "recommend", "justify_price", "offer_discount",
    "refuse_discount", "offer_gift", "offer_free_shipping", "apologize", "empathize",
    "ask_evidence", "offer_exchange", "offer_refund", "offer_compensation", "cover_shipping",
    "answer_stock", "answer_shipping", "answer_size", "assure_quality", "confirm_order",
    "urge_order", "steer_back", "chitchat", "thank", "farewell", "escalate", "wait_moment",
    "refuse", "rude", "blame_shift", "ask_order_number", "absolute_promise", "admit_weakness", "answer_payment",
}


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader(DEFS)


def _params(kind: str):
    out = []
    for d in DEFS:
        for text in getattr(d, kind):
            out.append(pytest.param(d.name, text, id=f"{d.name}/{text}"))
    return out


@pytest.mark.parametrize("intent, text", _params("examples"))
def test_example_reads_as_intent(reader, intent, text):
    reading = reader.read(text)
    assert reading.has(intent), f"{text!r} read as {reading.names}"


@pytest.mark.parametrize("intent, text", _params("counter_examples"))
def test_counter_example_does_not(reader, intent, text):
    reading = reader.read(text)
    assert not reading.has(intent), f"{text!r} read as {reading.names}"


def test_vocabulary_is_complete():
    names = [d.name for d in DEFS]
    assert set(names) == EXPECTED
    assert len(names) == len(set(names))
    for d in DEFS:
        assert d.title and d.title != d.name, d.name
        assert len(d.examples) >= 2, d.name
        assert len(d.counter_examples) >= 1, d.name
        assert d.phrases or d.patterns, d.name


def test_intents_from_data_tolerates_odd_input():
    assert intents_from_data({}) == []
    assert intents_from_data({"intents": None}) == []
    defs = intents_from_data({"intents": {"x": None, "y": {"title": "Y", "phrases": "单个", "patterns": None}}})
    assert [(d.name, d.title, d.phrases, d.patterns) for d in defs] == [("x", "x", (), ()), ("y", "Y", ("单个",), ())]
