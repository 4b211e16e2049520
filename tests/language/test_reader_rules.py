"""The reader's word lists live in scenarios/rules/reader.yaml: the file is its own
test table, a trainer's added word changes the reading, and a broken file is
reported with file:line:col without stopping the game."""

import shutil
from pathlib import Path

import pytest

from game.content.loader import load_library, load_reader_rules
from game.content.validate import check_file, kind_of
from game.language import lexicon as lexicon_mod
from game.language.learned import clause_spans, marker_re
from game.language.lexicon import SCHEMA, Lexicon, default_lexicon, lexicon_from_data
from game.language.reader import Reader
from game.language.vocab import IntentDef

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "scenarios"
RULES = CONTENT / "rules" / "reader.yaml"
OFFERS = {"offer_discount", "offer_free_shipping", "offer_gift"}
# A stand-in refusal intent, so the conditionals group is checked without intents.yaml.
REFUSE = IntentDef("refuse", "拒绝", phrases=("不行", "不能", "不可以", "没办法"))


def _offers(r) -> bool:
    return bool(OFFERS & set(r.names))


# What each group's examples must read as; its counter_examples must not.
CHECKS = {
    "negators": lambda r: not _offers(r),
    "questions": lambda r: not _offers(r),
    "not_negating": _offers,
    "descriptive": _offers,
    "postfix_negators": lambda r: not _offers(r),
    "scope_breakers": _offers,
    "conditionals": lambda r: not r.has("refuse"),
    "free_shipping": lambda r: r.facts.free_shipping,
    "gift": lambda r: r.facts.gift is not None,
    "discount": lambda r: r.facts.discount is not None,
    "reduction": lambda r: r.facts.reduction is not None,
    "price": lambda r: bool(r.facts.prices),
    "offer": lambda r: r.has("offer_discount"),
    "quantity": lambda r: r.facts.quantity is not None,
    "sizes": lambda r: bool(r.facts.sizes),
    "phone": lambda r: not r.facts.order_numbers,
    "clock": lambda r: r.facts.order_hour is not None,
    "elapsed": lambda r: r.facts.held_days is not None,
    "fit": lambda r: r.facts.fit != 0 and r.facts.fit_size is not None,
    "clauses": lambda r: len(clause_spans(r.normalized, marker_re(SHIPPED.words("clauses", "markers")))) >= 2,
    # a number that is not the price offered: a threshold, a compensation, a refused or quoted price
    "roles": lambda r: not r.facts.offers and bool(r.facts.threshold or r.facts.compensation or r.facts.refused
                                                   or r.facts.total or r.facts.result or r.facts.tax),
}

SHIPPED = load_reader_rules(RULES)[1]


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader([REFUSE], SHIPPED)


def _params(kind: int):
    return [pytest.param(g, text, id=f"{g}/{text}") for g in SCHEMA for text in SHIPPED.examples(g)[kind]]


def test_shipped_file_is_clean_and_complete():
    report, lex = load_reader_rules(RULES)
    assert not report.problems, report.format()
    assert lex.groups == tuple(SCHEMA)
    assert set(CHECKS) == set(SCHEMA)
    for g in SCHEMA:
        examples, counter = lex.examples(g)
        assert examples and counter, g


@pytest.mark.parametrize("group, text", _params(0))
def test_example(reader, group, text):
    r = reader.read(text)
    assert CHECKS[group](r), f"{text!r} read as {r.names} {r.facts}"


@pytest.mark.parametrize("group, text", _params(1))
def test_counter_example(reader, group, text):
    r = reader.read(text)
    assert not CHECKS[group](r), f"{text!r} read as {r.names} {r.facts}"


def test_default_reader_uses_the_shipped_file():
    assert Reader([]).lexicon is default_lexicon()
    assert default_lexicon().raw("free_shipping", "words") == SHIPPED.raw("free_shipping", "words")


# ------------------------------------------------------------------ data, not code


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_added_word_changes_the_reading(tmp_path):
    root = _copy(tmp_path)
    rules = root / "rules" / "reader.yaml"
    _edit(rules, "words: [包邮, 免邮,", "words: [免快递费, 包邮, 免邮,")
    _edit(rules, "words: [不掉色, 不褪色,", "words: [不沾水, 不掉色, 不褪色,")
    _edit(rules, "currency: [块钱,", "currency: [大洋, 块钱,")
    lib = load_library(root)
    assert lib.ok, [r.format() for r in lib.broken]
    # The edited words are read by the rules; the classifier would only be trained again
    # (about a minute) for words it weighs the same way.
    shipped, edited = Reader(lib.intents, learn=False), Reader(lib.intents, lib.lexicon, learn=False)

    line = "这单免快递费哦"
    assert not shipped.read(line).facts.free_shipping
    assert edited.read(line).facts.free_shipping and edited.read(line).has("offer_free_shipping")

    line = "这款不沾水包邮"  # a product trait, not a refusal of free shipping
    assert not shipped.read(line).facts.free_shipping
    assert edited.read(line).facts.free_shipping

    assert shipped.read("这双99大洋").facts.prices == ()
    assert edited.read("这双99大洋").facts.prices == (99.0,)


def test_a_removed_negator_no_longer_negates(tmp_path):
    root = _copy(tmp_path)
    rules = root / "rules" / "reader.yaml"
    _edit(rules, "不再, 不用, 没有, 没法, 无法,", "不再, 不用, 没有, 没法,")
    lib = load_library(root)
    assert lib.ok
    assert not Reader([], None).read("无法包邮").facts.free_shipping
    assert Reader([], lib.lexicon).read("无法包邮").facts.free_shipping


def test_reader_without_a_lexicon_follows_the_shipped_file(tmp_path, monkeypatch):
    rules = tmp_path / "reader.yaml"
    shutil.copy(RULES, rules)
    _edit(rules, "words: [包邮, 免邮,", "words: [免快递费, 包邮, 免邮,")
    monkeypatch.setattr(lexicon_mod, "DEFAULT_PATH", rules)
    monkeypatch.setattr(lexicon_mod, "_default", None)
    monkeypatch.setattr(lexicon_mod, "_default_key", None)
    assert Reader([]).read("免快递费").facts.free_shipping
    _edit(rules, "words: [免快递费, 包邮,", "words: [包邮,")  # edited again while the game runs
    assert not Reader([]).read("免快递费").facts.free_shipping


# ------------------------------------------------------------------ broken files


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in ln)


def _problems(report):
    return [(p.line, p.col, p.severity, p.message) for p in report.problems]


def test_a_broken_group_is_reported_and_left_out(tmp_path):
    root = _copy(tmp_path)
    rules = root / "rules" / "reader.yaml"
    _edit(rules, "          运费我们出, 邮费我们出,", "          [运费我们出], 邮费我们出,")
    line = _line_of(rules, "[运费我们出]")
    lib = load_library(root)
    (bad,) = lib.broken
    assert Path(bad.path).name == "reader.yaml"
    (err,) = bad.errors
    assert (err.line, err.col) == (line, 11)
    assert "item 9 of 'words' in group 'free_shipping' must be text, not a list" in err.message
    assert f"{bad.path}:{line}:11: error:" in bad.format()
    assert any("runs without group 'free_shipping'" in p.message for p in bad.warnings)
    # The game still loads; only free shipping goes unread until the file is fixed.
    assert {"haggler-nurse-shoes", "damaged-dress"} <= set(lib.personas)
    r = Reader(lib.intents, lib.lexicon)
    assert not r.read("包邮哦").facts.free_shipping
    assert r.read("送您一双袜子").facts.gift == "袜子"
    assert not r.read("不送袜子").facts.gift


def test_a_yaml_syntax_error_is_reported_and_the_game_still_loads(tmp_path):
    root = _copy(tmp_path)
    rules = root / "rules" / "reader.yaml"
    _edit(rules, "  window: 3 ", "  window: [3 ")
    line = _line_of(rules, "window: [3")
    lib = load_library(root)
    (bad,) = lib.broken
    assert bad.errors[0].message.startswith("YAML syntax")
    assert bad.errors[0].line >= line
    assert f"{bad.path}:{bad.errors[0].line}:{bad.errors[0].col}: error: YAML syntax" in bad.format()
    assert lib.lexicon is not None and lib.lexicon.groups == ()
    assert {"haggler-nurse-shoes", "damaged-dress"} <= set(lib.personas)
    # Reads intents, with no negation or offer words (the rules: training the classifier again
    # for an empty word list costs a minute and is the same code as any training).
    r = Reader(lib.intents, lib.lexicon, learn=False)
    assert r.read("亲,您好").has("greet")
    assert r.read("不包邮").facts == r.read("").facts
    # A chat still plays.
    import numpy as np

    from game.engine.clock import ManualClock
    from game.engine.conversation import Conversation

    clock = ManualClock()
    conv = Conversation(lib.personas["haggler-nurse-shoes"], r, clock, np.random.default_rng(1),
                        defaults=lib.buyer_defaults)
    clock.advance(3)
    conv.tick()
    conv.trainee_says("亲,您好,很高兴为您服务")
    clock.advance(10)
    conv.tick()
    assert len(conv.transcript) >= 2


@pytest.mark.parametrize("old, new, needle, col, message", [
    ("  window: 3 ", "  window: 30 ", "window: 30", 11,
     "'window' in group 'negators' must be between 0 and 10, not 30"),
    ("  window: 2\n", "  window: two\n", "window: two", 11, "'window' in group 'questions' must be a whole number"),
    ("  chars: [就, 才]", "  chars: [就, 才能]", "chars: [就, 才能]", 14,
     "'才能' in 'chars' of group 'scope_breakers' must be a single character"),
    ("  after: [的话]", "  after: [的话, '~~']", "'~~'", 15,
     "'~~' in 'after' of group 'conditionals' has no letter or digit"),
    ("  half_price: [半价, 对折]", "  half_prize: [半价, 对折]", "half_prize", 3,
     "unknown key 'half_prize' in group 'discount'; did you mean 'half_price'?"),
    ("phone:\n", "phones:\n", "phones:", 1, "unknown key 'phones' in the reader rules file"),
    ("  ordinals: [第]", "  ordinals: 第", "ordinals: 第", 13, "'ordinals' in group 'quantity' must be a list"),
])
def test_errors_point_at_the_fault(tmp_path, old, new, needle, col, message):
    rules = tmp_path / "rules" / "reader.yaml"
    rules.parent.mkdir()
    shutil.copy(RULES, rules)
    _edit(rules, old, new)
    line = _line_of(rules, needle)
    assert kind_of(rules) == "reader"
    report = check_file(None, rules)
    assert not report.ok
    hits = [p for p in report.errors if message in p.message + (f"; {p.hint}" if p.hint else "")]
    assert len(hits) == 1 and len(report.errors) == 1, _problems(report)
    assert (hits[0].line, hits[0].col) == (line, col), _problems(report)


def test_validate_command_names_the_line(tmp_path, capsys):
    from game.cli import main

    rules = tmp_path / "rules" / "reader.yaml"
    rules.parent.mkdir()
    shutil.copy(RULES, rules)
    _edit(rules, "  fillers: [是, 的,", "  fillers: [是的, 的,")
    assert main(["validate", str(rules)]) == 1
    out = capsys.readouterr().out
    line = _line_of(rules, "[是的, 的,")
    assert (f"reader.yaml:{line}:13: error: '是的' in 'fillers' of group 'postfix_negators' "
            "must be a single character") in out
    assert ">>>" in out


def test_repeats_and_missing_groups_are_warnings(tmp_path):
    rules = tmp_path / "rules" / "reader.yaml"
    rules.parent.mkdir()
    rules.write_text("version: 1\nfree_shipping:\n  words: [包邮, 免邮, 包邮]\n", encoding="utf-8")
    report, lex = load_reader_rules(rules)
    assert report.ok
    assert (3, 19, "warning", "'包邮' is listed twice in 'words' of group 'free_shipping'") in _problems(report)
    assert any("has no 'negators' group" in p.message for p in report.warnings)
    assert lex.words("free_shipping", "words") == ("包邮", "免邮")
    assert Reader([], lex).read("不包邮").facts.free_shipping  # no negators in this file


def test_a_group_that_is_not_a_mapping(tmp_path):
    rules = tmp_path / "rules" / "reader.yaml"
    rules.parent.mkdir()
    rules.write_text("version: 1\nnegators: [不, 没]\nfree_shipping:\n  words: [包邮]\n", encoding="utf-8")
    report, lex = load_reader_rules(rules)
    (err,) = report.errors
    assert (err.line, err.col) == (2, 11)
    assert "'negators' in the reader rules file must be a mapping (key: value), not a list" in err.message
    assert lex.groups == ("free_shipping",)
    assert Reader([], lex).read("不包邮").facts.free_shipping


def test_missing_file_means_the_shipped_lexicon(tmp_path):
    root = _copy(tmp_path)
    (root / "rules" / "reader.yaml").unlink()
    lib = load_library(root)
    assert lib.ok and lib.lexicon is None
    assert Reader(lib.intents, lib.lexicon).lexicon is default_lexicon()


# ------------------------------------------------------------------ odd data


def test_lexicon_from_data_tolerates_odd_input():
    assert lexicon_from_data(None).groups == ()
    lex = lexicon_from_data({"negators": {"words": ["不", None, 3, "", True], "window": "x"},
                             "questions": None, "free_shipping": {"words": "包邮"}})
    assert lex.raw("negators", "words") == ("不", "3")
    assert lex.number("negators", "window") == 3
    assert lex.words("free_shipping", "words") == ()
    assert Reader([], lex).read("不送") is not None


def test_words_are_normalized_like_messages():
    lex = lexicon_from_data({"free_shipping": {"words": ["免 運 費"]}, "price": {"currency": ["ＲＭＢ块"]}})
    assert lex.words("free_shipping", "words") == ("免运费",)
    assert lex.words("price", "currency") == ("rmb块",)
    r = Reader([], lex)
    assert r.read("免运费").facts.free_shipping
    assert r.read("99RMB块").facts.prices == (99.0,)


def test_empty_lexicon_reader_never_raises():
    r = Reader([REFUSE], Lexicon.empty())
    for text in ("", "不行", "能不能包邮", "送您一双袜子,128元,37码", "x" * 5000, "/:^_^不"):
        r.read(text)
