"""The intents file is training data and its own check: the reader trained on it reads its
examples back and keeps off its counter-examples (a learned reader may miss a few; the few
are printed), and the vocabulary stays complete."""

from pathlib import Path

import pytest
import yaml

from game.content.loader import load_library
from game.language.reader import Reader
from game.language.vocab import intents_from_data

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "scenarios" / "rules" / "intents.yaml"
DEFS = intents_from_data(yaml.safe_load(RULES.read_text(encoding="utf-8")))

EXPECTED = {
    "greet", "ask_need", "introduce_product", "recommend", "justify_price", "offer_discount",
    "refuse_discount", "offer_gift", "offer_free_shipping", "apologize", "empathize",
    "ask_evidence", "offer_exchange", "offer_refund", "offer_compensation", "cover_shipping",
    "answer_stock", "answer_shipping", "answer_size", "assure_quality", "confirm_order",
    "urge_order", "steer_back", "chitchat", "thank", "farewell", "escalate", "wait_moment",
    "refuse", "rude", "blame_shift", "ask_order_number", "absolute_promise", "admit_weakness", "answer_payment",
    # added with the learned reader (issue: understanding)
    "answer_invoice", "order_note", "offer_sample", "usage_advice", "criticize_buyer",
    # a polite no the shop's rules require (issue: judging, fifth blind set)
    "decline_politely",
}


@pytest.fixture(scope="module")
def library():
    return load_library(ROOT / "scenarios")


@pytest.fixture(scope="module")
def reader(library) -> Reader:
    return Reader(library.intents, library.lexicon)


def test_examples_read_back(reader):
    misses = [(d.name, t, reader.read(t).names) for d in DEFS for t in d.examples if not reader.read(t).has(d.name)]
    total = sum(len(d.examples) for d in DEFS)
    assert len(misses) <= total * 0.03, "\n".join(f"{n}: {t!r} read as {got}" for n, t, got in misses)


def test_counter_examples_stay_off(reader):
    hits = [(d.name, t, reader.read(t).names) for d in DEFS for t in d.counter_examples if reader.read(t).has(d.name)]
    total = sum(len(d.counter_examples) for d in DEFS)
    assert len(hits) <= total * 0.03, "\n".join(f"{n}: {t!r} read as {got}" for n, t, got in hits)


def test_vocabulary_is_complete():
    names = [d.name for d in DEFS]
    assert set(names) == EXPECTED
    assert len(names) == len(set(names))
    for d in DEFS:
        assert d.title and d.title != d.name, d.name
        assert len(d.examples) >= 25, d.name  # an intent is learned from its examples
        assert len(d.counter_examples) >= 5, d.name


def test_every_intent_has_labelled_replies(library):
    for d in library.intents:
        assert len(d.replies) >= 20, d.name


def test_intents_from_data_tolerates_odd_input():
    assert intents_from_data({}) == []
    assert intents_from_data({"intents": None}) == []
    defs = intents_from_data({"intents": {"x": None, "y": {"title": "Y", "phrases": "单个", "patterns": None}}})
    assert [(d.name, d.title, d.phrases, d.patterns) for d in defs] == [("x", "x", (), ()), ("y", "Y", ("单个",), ())]
