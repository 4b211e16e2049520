"""Every move of a message counts: chained moves, said.<intent>, remembered offers, fallbacks,
and a persona's own intents."""

import shutil
from pathlib import Path

import numpy as np

from game.content.loader import load_library
from game.engine.clock import ManualClock
from game.engine.conversation import Conversation

ROOT = Path(__file__).resolve().parents[2]


def chat(library, reader, pid, seed=0):
    clock = ManualClock()
    conv = Conversation(library.personas[pid], reader, clock, np.random.default_rng(seed),
                        defaults=library.buyer_defaults)
    clock.set(2.0)
    conv.tick()
    return conv, clock


def buyer_lines(conv):
    return [m for m in conv.transcript if m.who == "buyer"]


def test_all_moves_of_one_message_are_taken_in_order(library, reader):
    conv, clock = chat(library, reader, "damaged-dress")
    conv.trainee_says("真的非常抱歉,给您换一条新的,来回运费我们来承担")
    clock.advance(10)
    conv.tick()
    # apology, exchange, freight: the buyer never asks who pays the freight
    assert conv.state == "settled" and conv.outcome == "success"
    assert [h[1] for h in conv.history] == ["apologize", "offer_exchange", "cover_shipping"]
    assert len(buyer_lines(conv)) == 2  # her opening line and one answer, not one per move
    assert conv.vars["said.cover_shipping"] == 1 and conv.vars["said.apologize"] == 1


def test_now_counts_only_the_message_being_read(library, reader):
    conv, clock = chat(library, reader, "damaged-dress")
    conv.trainee_says("真的非常抱歉,来回运费我们来承担")
    clock.advance(10)
    conv.tick()
    assert conv.vars["now.cover_shipping"] == 1 and conv.outcome is None
    conv.trainee_says("麻烦拍张照片给我看看")
    clock.advance(10)
    conv.tick()
    assert conv.vars["now.cover_shipping"] == 0 and conv.vars["said.cover_shipping"] == 1


def test_an_offer_made_earlier_is_remembered(library, reader):
    conv, clock = chat(library, reader, "damaged-dress")
    # the freight offer comes before the apology the buyer takes first: it is not taken now...
    conv.trainee_says("运费您不用担心,我们来出。非常抱歉")
    clock.advance(10)
    conv.tick()
    assert conv.state == "explaining"
    conv.trainee_says("给您换一条新的")                        # exchange -> her freight question...
    clock.advance(10)
    conv.tick()
    assert conv.state == "settled"                             # ...answered by the earlier offer
    assert not any("运费" in m.text and "谁出" in m.text for m in buyer_lines(conv))


def test_a_condition_can_test_what_was_said(tmp_path, library, reader):
    root = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", root)
    p = root / "personas" / "damaged-dress.yaml"
    text = p.read_text(encoding="utf-8")
    old = "      offer_exchange: &exchange\n"
    assert old in text
    text = text.replace(old, old + "        - {if: \"said.ask_evidence < 1\", to: photo_sent, mood: +2}\n", 1)
    p.write_text(text, encoding="utf-8")
    lib = load_library(root)
    assert lib.ok, [r.format() for r in lib.broken]
    conv, clock = chat(lib, reader, "damaged-dress")
    conv.trainee_says("非常抱歉")
    clock.advance(10)
    conv.tick()
    conv.trainee_says("给您换一条新的")
    assert conv.state == "photo_sent"  # no photo asked for yet: said.ask_evidence is 0


def test_a_new_move_is_heard_as_its_fallback_by_an_older_persona(tmp_path, reader):
    # a persona written before answer_invoice existed: its invoice question hears assure_quality only
    root = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", root)
    p = root / "personas" / "invoice-over-amount.yaml"
    p.write_text("\n".join(x for x in p.read_text(encoding="utf-8").split("\n")
                           if not x.strip().startswith("answer_invoice:")), encoding="utf-8")
    library = load_library(root)
    assert library.ok, [r.format() for r in library.broken]
    conv, clock = chat(library, reader, "invoice-over-amount")
    conv.trainee_says("您好亲,在的")
    clock.advance(10)
    conv.tick()
    state = conv.state
    assert "answer_invoice" not in library.personas["invoice-over-amount"].states[state].on
    conv.trainee_says("能开的亲,我们开正规的电子普通发票")
    assert reader.read("能开的亲,我们开正规的电子普通发票").names == ("answer_invoice",)
    assert conv.history[-1][1] == "assure_quality" and conv.state != state


def test_a_persona_can_teach_its_own_words(tmp_path, reader):
    root = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", root)
    p = root / "personas" / "planter-wood-scars.yaml"
    text = p.read_text(encoding="utf-8")
    own = ("intents:\n  engrave:\n    title: 刻字\n    examples: [\"可以给您免费刻字\", \"花箱上能刻您家的名字\", "
           "\"刻字是免费的哦\", \"想刻什么字告诉我\", \"可以激光刻名字\"]\nstart:")
    text = text.replace("\nstart:", "\n" + own, 1)
    text = text.replace("      rude:", "      engrave: {mood: +1, say: [\"刻字啊?那太好了\"]}\n      rude:", 1)
    p.write_text(text, encoding="utf-8")
    lib = load_library(root)
    assert lib.ok, [r.format() for r in lib.broken]
    persona = lib.personas["planter-wood-scars"]
    mine = reader.for_persona(persona)
    assert mine.read("可以刻字的亲,免费给您刻上").has("engrave")
    assert not reader.read("可以刻字的亲,免费给您刻上").has("engrave")
    assert not mine.read("这款是樟子松的").has("engrave")


def test_an_unknown_shared_intent_without_a_title_is_named(tmp_path):
    root = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", root)
    p = root / "personas" / "planter-wood-scars.yaml"
    text = p.read_text(encoding="utf-8").replace("\nstart:", "\nintents:\n  offer_sampel:\n    examples: [\"送您小样\"]\nstart:", 1)
    p.write_text(text, encoding="utf-8")
    lib = load_library(root)
    (bad,) = [r for r in lib.broken if "planter-wood-scars" in r.path]
    msg = bad.format()
    assert "offer_sampel" in msg and "offer_sample" in msg and "title" in msg
    assert "planter-wood-scars.yaml:" in msg
