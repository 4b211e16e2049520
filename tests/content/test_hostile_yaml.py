"""Hostile content files never raise out of the loader: each is reported at file:line:col and the
other personas still load (YAML tags that cannot build, huge numbers, merge and alias bombs, brackets
nested beyond what libyaml survives)."""
from pathlib import Path

import pytest

from game.content.loader import load_library
from game.content.validate import check_file

CONTENT = Path(__file__).resolve().parent.parent.parent / "scenarios"
SOURCE = (CONTENT / "personas" / "damaged-dress.yaml").read_text(encoding="utf-8")

@pytest.fixture
def library():
    """A library of our own: check_file adds the checked file to the library it is given."""
    return load_library(CONTENT)



def _file(tmp_path, text: str) -> Path:
    p = tmp_path / "hostile.yaml"
    p.write_text(text.replace("id: damaged-dress", "id: hostile", 1), encoding="utf-8")
    return p


@pytest.mark.parametrize("old, new, words", [
    ("summary: 王女士", "summary: 2024-02-30\nnote: 王女士", "cannot be read as a date"),
    ("  mood: 35", '  mood: !!int "abc"', "cannot be read as an integer"),
    ("  mood: 35", '  mood: !!float "x"', "cannot be read as a number"),
    ("  mood: 35", '  mood: !!bool "maybe"', "cannot be read as true/false"),
    ("  mood: 35", '  mood: !!timestamp "x"', "cannot be read as a date"),
    ("  mood: 35", '  mood: !!int ""', "cannot be read as an integer"),
    ("  mood: 35", "  mood: " + "9" * 5000, "too long"),
    ("  freight: 24", "  freight: " + "1" * 400, "too long"),
    ("vars:", "<<: 3\nvars:", "merge"),
    ("vars:", "<<: [1, 2]\nvars:", "merge"),
])
def test_a_bad_value_is_an_error_at_its_place(tmp_path, library, old, new, words):
    text = SOURCE.replace(old, new, 1)
    assert text != SOURCE
    path = _file(tmp_path, text)
    report = check_file(library, path)
    assert not report.ok
    err = next(e for e in report.errors if words in e.message + (e.hint or ""))
    line = text.replace("id: damaged-dress", "id: hostile", 1).splitlines()[err.line - 1]
    assert new.split("\n")[0].strip()[:6] in line


def test_bombs_and_deep_nesting_are_refused_unexpanded(tmp_path, library):
    bomb = ["a0: &a0 {x: 1, y: 2, z: 3, w: 4, v: 5, u: 6, t: 7, s: 8, r: 9, q: 10}"]
    bomb += [f"a{i}: &a{i}\n  <<: [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    laughs = ["a0: &a0 [1,2,3,4,5,6,7,8,9,10]"] + [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    deep = "x: " + "[" * 30000 + "]" * 30000
    for text, words in (("\n".join(bomb), "expands"), ("\n".join(laughs), "expands"), (deep, "nest")):
        p = tmp_path / "bomb.yaml"
        p.write_text(text + "\n", encoding="utf-8")
        report = check_file(library, p)
        assert not report.ok and any(words in e.message for e in report.errors), report.format()


def test_many_misspelt_targets_still_get_hints(tmp_path, library):
    lines = ["version: 1", "id: many-states", "title: 测试", "summary: 很多状态", "archetype: haggler",
             "difficulty: 1", "shop: dalibai", "product: nurse-shoe-101", "buyer:", "  name: 小王", "start: s0",
             "states:"]
    for i in range(2000):
        lines.append(f"  s{i}:\n    say: [\"你好\"]\n    on:\n      greet: {{to: s{i}x}}")
    p = tmp_path / "many.yaml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = check_file(library, p)
    assert len(report.errors) == 2000
    assert "did you mean 's7'" in (report.errors[7].hint or "") + report.errors[7].message


def test_a_hostile_file_never_stops_the_others(tmp_path):
    import shutil
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    (root / "personas" / "zz-hostile.yaml").write_text(SOURCE.replace("  mood: 35", '  mood: !!int "abc"'),
                                                       encoding="utf-8")
    lib = load_library(root)
    assert "damaged-dress" in lib.personas and len(lib.personas) >= 25
    assert any("zz-hostile" in r.path and not r.ok for r in lib.reports)


def test_a_byte_that_was_not_utf8_is_kept_as_a_replacement(tmp_path):
    from game.store.db import _text
    from game.textplay import clean_input
    assert clean_input("好\udcff的") == "好\ufffd的"
    assert _text("好\udcff的") == "好\ufffd的"


def test_encodings_control_characters_and_full_width_colons_are_named_at_their_place(tmp_path, library):
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("version: 1\nid: gbk\ntitle: 测试\n".encode("gbk"))
    err = check_file(library, gbk).errors[0]
    assert (err.line, err.col) == (3, 8) and "GBK" in err.message
    ctl = tmp_path / "ctl.yaml"
    ctl.write_text("version: 1\nid: ctl\ntitle: ab\x01cd\n", encoding="utf-8")
    err = check_file(library, ctl).errors[0]
    assert (err.line, err.col) == (3, 10) and "U+0001" in err.message
    colon = tmp_path / "colon.yaml"
    colon.write_text(SOURCE.replace("      apologize: {to: explaining", "      apologize：{to: explaining", 1),
                     encoding="utf-8")
    err = check_file(library, colon).errors[0]
    line = colon.read_text(encoding="utf-8").splitlines()[err.line - 1]
    assert line[err.col - 1] == "：" and "'：'" in err.message
