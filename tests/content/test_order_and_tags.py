"""After-sales buyers carry the order they write about (the 订单 tab), and buyers carry CRM tags."""
from pathlib import Path

from game.content import factsheet as fs
from game.content.validate import check_file

CONTENT = Path(__file__).resolve().parent.parent.parent / "scenarios"


def test_an_after_sales_buyer_has_the_order_she_talks_about(library):
    p = library.personas["late-parcel-dress"]
    assert p.order is not None and p.order.number == "2306158809176"
    said = " ".join(line for st in p.states.values() for tr in st.on.values() for t in tr for line in t.say)
    assert p.order.number in said  # the number she gives when asked is the one on the tab
    rows = fs.order_rows(p)
    steps = [r for r in rows if r.kind == "step"]
    assert steps and steps[0].label == p.order.tracking[-1].at  # newest first
    assert "新顾客" in p.buyer.tags


def test_a_pre_sales_buyer_has_no_order_and_the_tab_says_so(library):
    p = library.personas["haggler-nurse-shoes"]
    assert p.order is None
    assert "还没有下单" in fs.order_rows(p)[0].label


def test_every_after_sales_persona_has_an_order(library):
    after = {"damaged-dress", "late-parcel-dress", "exchange-jeans-size", "return-no-fault-tshirt",
             "bad-review-threat-shoes", "address-change-shoes"}
    assert {pid for pid, p in library.personas.items() if p.order is not None} == after
    for pid in after:
        o = library.personas[pid].order
        assert o.paid == library.personas[pid].list_price, pid


def _variant(tmp_path, library, old: str, new: str):
    src = (CONTENT / "personas" / "damaged-dress.yaml").read_text(encoding="utf-8")
    assert old in src
    f = tmp_path / "variant.yaml"
    f.write_text(src.replace(old, new, 1), encoding="utf-8")
    from dataclasses import replace
    lib = replace(library, personas={k: v for k, v in library.personas.items() if k != "damaged-dress"})
    return check_file(lib, f), src.replace(old, new, 1)


def test_a_bad_order_number_is_reported_at_its_position(tmp_path, library):
    report, text = _variant(tmp_path, library, 'number: "2306201753380"', 'number: "23062 0175"')
    (err,) = report.errors
    assert "order number" in err.message
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "23062 0175" in ln)
    assert err.line == line and err.col > 1


def test_unknown_order_keys_and_long_labels_are_errors(tmp_path, library):
    report, _ = _variant(tmp_path, library, "  status: 已签收\n", "  statsu: 已签收\n")
    msgs = [e.message for e in report.errors]
    assert any("unknown key 'statsu'" in m for m in msgs)
    report, _ = _variant(tmp_path, library, "  status: 已签收\n", "  status: " + "已签收" * 20 + "\n")
    assert any("characters long" in e.message for e in report.errors)


def test_a_courier_the_shop_does_not_use_is_a_warning(tmp_path, library):
    report, _ = _variant(tmp_path, library, "  courier: 圆通\n", "  courier: 中通\n")
    assert report.ok
    assert any("courier '中通'" in w.message for w in report.warnings)


def test_an_unknown_product_picture_is_an_error(tmp_path):
    from game.content.loader import load_shop
    src = (CONTENT / "shops" / "huayun.yaml").read_text(encoding="utf-8")
    f = tmp_path / "huayun.yaml"
    f.write_text(src.replace("picture: dress", "picture: dres", 1), encoding="utf-8")
    report, shop = load_shop(f)
    assert shop is None
    assert any("dres" in e.message and "dress" in (e.hint or "") for e in report.errors)
