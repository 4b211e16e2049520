from pathlib import Path

import pytest

from game.content import conditions
from game.content.diagnostics import Report
from game.content.loader import load_library
from game.content.validate import check_all
from game.content.yamlpos import load

CONTENT = Path(__file__).resolve().parent.parent.parent / "scenarios"


def test_shipped_content_has_no_errors(library):
    reports = check_all(library)
    problems = [p.format() for r in reports for p in r.problems]
    assert not problems, "\n".join(problems)
    assert {"haggler-nurse-shoes", "damaged-dress", "chatty-office-lady"} <= set(library.personas)
    assert {"dalibai", "huayun"} <= set(library.shops)


def test_every_persona_ending_is_reachable(library):
    from collections import deque
    for p in library.personas.values():
        seen, todo = {p.start}, deque([p.start])
        while todo:
            for ts in p.states[todo.popleft()].on.values():
                for t in ts:
                    if t.dest and t.dest not in seen:
                        seen.add(t.dest)
                        todo.append(t.dest)
        assert seen == set(p.states), p.id
        assert any(p.states[s].end for s in seen), p.id


def test_yes_no_on_off_stay_text():
    r = Report("x.yaml")
    d = load("no: yes\non: [off, true]\nstate: n\n", r)
    assert d == {"no": "yes", "on": ["off", True], "state": "n"}
    assert r.ok


def test_all_problems_of_a_file_are_collected(tmp_path):
    bad = tmp_path / "two.yaml"
    text = (CONTENT / "personas" / "haggler-nurse-shoes.yaml").read_text(encoding="utf-8")
    text = text.replace("shop: dalibai", "shop: dalibia").replace("greet: {to: asking", "greet: {to: askng")
    bad.write_text(text, encoding="utf-8")
    from game.content.validate import check_file
    report = check_file(load_library(CONTENT), bad)
    messages = [p.message for p in report.errors]
    assert any("unknown shop 'dalibia'" in m for m in messages)
    assert any("unknown state 'askng'" in m for m in messages)


def test_missing_version_is_a_warning_not_an_error(tmp_path):
    src = (CONTENT / "personas" / "chatty-office-lady.yaml").read_text(encoding="utf-8")
    f = tmp_path / "nover.yaml"
    f.write_text(src.replace("version: 1\n", ""), encoding="utf-8")
    from game.content.validate import check_file
    lib = load_library(CONTENT)
    del lib.personas["chatty-office-lady"]
    report = check_file(lib, f)
    assert report.ok
    assert any("no format 'version:'" in w.message for w in report.warnings)
    f.write_text(src.replace("version: 1\n", "version: 9\n"), encoding="utf-8")
    report = check_file(lib, f)
    assert any("version 9" in w.message for w in report.warnings)


def test_error_format_quotes_the_line_with_a_caret(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("version: 1\nid: x\ntitle: t\narchetype: haggler\ndifficulty: 1\nshop: nowhere\n", encoding="utf-8")
    from game.content.validate import check_file
    out = check_file(load_library(CONTENT), f).format()
    assert f"{f}:6:7: error: unknown shop 'nowhere'" in out or ":6:7: error: unknown shop 'nowhere'" in out
    assert ">>> 6 | shop: nowhere\n" in out
    assert "^" in out


def test_not_utf8_is_reported(tmp_path):
    f = tmp_path / "gbk.yaml"
    f.write_bytes("id: 买家\n".encode("gbk"))
    from game.content.validate import check_file
    report = check_file(load_library(CONTENT), f)
    assert "not UTF-8" in report.errors[0].message


# ---------------------------------------------------------------- conditions

ENV = {"offer_price": 140.0, "floor_price": 150.0, "mood": 40.0, "pushes": 2.0}


@pytest.mark.parametrize("src,expected", [
    ("offer_price < floor_price", True),
    ("offer_price >= floor_price", False),
    ("not (mood > 50)", True),
    ("mood > 50 or pushes == 2", True),
    ("mood > 50 and pushes == 2", False),
    ("floor_price - offer_price > 5", True),
    ("offer_price * 1.1 > floor_price", True),
    ("-mood < 0", True),
    ("pushes / 0 == 0", True),
    ("true and not false", True),
])
def test_condition_language(src, expected):
    assert conditions.parse(src, set(ENV))(ENV) is expected


@pytest.mark.parametrize("src,offset,msg", [
    ("mood >", 6, "ends too early"),
    ("mood = 3", 5, "unexpected character '='"),
    ("__import__('os')", 11, "unexpected character"),
    ("mod > 3", 0, "unknown variable 'mod'"),
    ("1 < 2 < 3", 6, "chained comparison"),
    ("(mood > 3", 9, "missing ')'"),
    ("", 0, "empty condition"),
])
def test_condition_errors_point_at_the_fault(src, offset, msg):
    with pytest.raises(conditions.ConditionError) as exc:
        conditions.parse(src, set(ENV))
    assert msg in str(exc.value)
    assert exc.value.offset == offset


def test_an_alias_bomb_is_refused_quickly():
    letters = "abcdefghij"
    text = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{letters[i + 1]}: &{letters[i + 1]} [" + ",".join([f"*{letters[i]}"] * 9) + "]\n" for i in range(8))
    r = Report("bomb.yaml")
    assert load(text, r) is None
    assert "too many aliases" in r.errors[0].message


def test_a_broken_shop_is_named_as_the_cause(tmp_path):
    import shutil
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    shop = root / "shops" / "huayun.yaml"
    shop.write_text(shop.read_text(encoding="utf-8").replace("price: 138", "price: lots"), encoding="utf-8")
    lib = load_library(root)
    dress = next(r for r in lib.broken if r.path.endswith("damaged-dress.yaml"))
    assert any("shop 'huayun' has errors" in p.message for p in dress.errors)


def test_a_shop_names_what_it_gives_away_and_a_bad_gift_list_is_placed(tmp_path):
    from game.content.loader import load_shop
    good = tmp_path / "good.yaml"
    good.write_text("version: 1\nid: s\nname: 店\npolicies:\n  gifts:\n    - 鞋垫\n"
                    "    - {name: 园艺三件套, words: [工具], per_order: true}\n"
                    "products:\n  - {sku: a, name: 鞋, price: 10, floor_price: 8, stock: 1}\n", encoding="utf-8")
    report, shop = load_shop(good)
    assert not report.errors
    assert [(g.name, g.words, g.per_order) for g in shop.policies.gifts] == [
        ("鞋垫", (), False), ("园艺三件套", ("工具",), True)]
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nid: s\nname: 店\npolicies:\n  gifts: 3\n"
                   "products:\n  - {sku: a, name: 鞋, price: 10, floor_price: 8, stock: 1}\n", encoding="utf-8")
    report, _shop = load_shop(bad)
    assert [(e.line, e.col) for e in report.errors] == [(5, 10)]
    assert "gifts: []" in report.errors[0].hint


def test_a_softened_intent_names_both_ends_and_real_intents(tmp_path):
    from game.content.loader import load_intents
    head = "version: 1\nintents:\n  sorry: {title: 道歉, examples: [抱歉]}\n  polite: {title: 婉拒, examples: [没法办]}\n"
    good = tmp_path / "good.yaml"
    good.write_text(head + "  no:\n    title: 拒绝\n    examples: [不行]\n    softened_by: [sorry]\n"
                    "    softened_to: polite\n", encoding="utf-8")
    report, intents = load_intents(good)
    assert not report.errors
    no = next(d for d in intents if d.name == "no")
    assert no.softened_by == ("sorry",) and no.softened_to == "polite"
    bad = tmp_path / "bad.yaml"
    bad.write_text(head + "  no:\n    title: 拒绝\n    examples: [不行]\n    softened_by: [sory]\n", encoding="utf-8")
    report, _ = load_intents(bad)
    messages = [e.message for e in report.errors]
    assert any("softened_by names" in m and "sory" in m for m in messages)
    assert any("go together" in m for m in messages)
    assert all(e.line > 0 for e in report.errors)
