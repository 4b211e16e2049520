"""Buyer lines and choices take `{name}` placeholders only: never Python's format mini-language
(an index, an attribute, a conversion or a format spec in a content file is an error at its column)."""
from pathlib import Path

import numpy as np
import pytest

from game.content.loader import load_library
from game.content.placeholders import PlaceholderError, fields, fill
from game.content.validate import check_file

CONTENT = Path(__file__).resolve().parent.parent.parent / "scenarios"
SOURCE = CONTENT / "personas" / "damaged-dress.yaml"
LINE = '"你们家衣服怎么回事?收到就是破的!"'

@pytest.fixture
def library():
    """A library of our own: check_file adds the checked file to the library it is given."""
    return load_library(CONTENT)



def _persona(tmp_path, say: str, extra: str = "") -> Path:
    text = SOURCE.read_text(encoding="utf-8").replace(LINE, '"' + say + '"', 1)
    text = text.replace("id: damaged-dress", "id: placeholder-test", 1) + extra
    p = tmp_path / "placeholder-test.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("bad", ["{price[0]}", "{price:>999999999}", "{price.__class__}", "{price!x}",
                                 "{price:,.99999999f}", "{ price }", "{price", "price}"])
def test_format_tricks_are_errors_at_their_column(tmp_path, library, bad):
    path = _persona(tmp_path, "多少钱 " + bad + " 呢")
    report = check_file(library, path)
    assert not report.ok
    err = report.errors[0]
    line = path.read_text(encoding="utf-8").splitlines()[err.line - 1]
    assert line[err.col - 1] in "{}", (line, err.col)
    assert "placeholder" in err.message or "unmatched" in err.message


def test_literal_braces_and_known_names_pass(tmp_path, library):
    path = _persona(tmp_path, "{{就这个}} {product}多少钱")
    assert check_file(library, path).ok


def test_fill_never_formats(library):
    assert fill("{price}元 {{x}} {price.__class__} {nosuch}", {"price": 168}) == \
        "168元 {x} {price.__class__} {nosuch}"
    assert [n for n, _ in fields("{a}{{b}}{c}")] == ["a", "c"]
    with pytest.raises(PlaceholderError):
        fields("{a:>9}")


def test_a_choice_is_checked_and_filled(tmp_path, library):
    from game.engine.clock import ManualClock
    from game.engine.conversation import Conversation
    from game.language.reader import Reader

    text = SOURCE.read_text(encoding="utf-8")
    choices = ('    choices:\n'
               '      - {text: "欢迎光临{shop},非常抱歉给您添麻烦了", why: 先道歉, best: true}\n'
               '      - {text: "不关我们的事", why: 推卸}\n'
               '      - {text: "您自己看着办", why: 冷淡}\n')
    text = text.replace("id: damaged-dress", "id: choice-test", 1)
    text = text.replace("  opening:\n", "  opening:\n" + choices, 1)
    bad = text.replace("欢迎光临{shop}", "欢迎光临{shop.name}")
    p = tmp_path / "choice-test.yaml"
    p.write_text(bad, encoding="utf-8")
    rep = check_file(library, p)
    assert not rep.ok and "{shop.name}" in rep.errors[0].message
    p.write_text(text, encoding="utf-8")
    lib = load_library(CONTENT, extra_personas=[p])
    persona = lib.personas["choice-test"]
    conv = Conversation(persona, Reader(lib.intents, lib.lexicon), ManualClock(), np.random.default_rng(0))
    assert conv.choices[0].text == "欢迎光临华云服饰网店,非常抱歉给您添麻烦了"
