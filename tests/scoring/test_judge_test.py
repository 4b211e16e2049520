"""judge-test: agreement with a team lead on labelled pairs and single replies."""

import json

from game.cli import main


def _write(tmp_path, text):
    f = tmp_path / "judge.yaml"
    f.write_text(text, encoding="utf-8")
    return f


def test_judge_test_prints_agreement_ties_recall_and_false_positives(tmp_path, capsys):
    f = _write(tmp_path, '''version: 1
pairs:
  - buyer: "这双能便宜点吗?"
    a: "爱买不买"
    b: "亲,这款是头层牛皮的,价格很实在了,我帮您申请个小礼品好吗?"
    better: b
singles:
  - buyer: "在吗"
    reply: "你烦不烦"
    faulty: true
    fault: "无礼"
  - buyer: "在吗"
    reply: "亲,您好,很高兴为您服务"
    faulty: false
''')
    assert main(["judge-test", str(f)]) == 0
    out = capsys.readouterr().out
    assert "pairs 1: agree 1" in out and "recall 100.0%" in out and "false positives 0.0%" in out
    assert main(["judge-test", str(f), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["agreement"] == 1.0 and d["recall"] == 1.0 and d["false_positives"] == 0.0


def test_judge_test_names_the_line_of_a_bad_item(tmp_path, capsys):
    f = _write(tmp_path, 'pairs:\n  - buyer: "x"\n    a: "好的"\n    b: "嗯"\n    better: c\n')
    assert main(["judge-test", str(f)]) == 1
    err = capsys.readouterr().err
    assert "judge.yaml:2" in err and "better" in err


def _judge_singles(tmp_path, capsys, *items) -> dict:
    """judge-test --json on single replies, each (shop, buyer, reply, faulty)."""
    lines = ["version: 1", "singles:"]
    for shop, buyer, reply, faulty in items:
        lines += [f"  - shop: {shop}", f'    buyer: "{buyer}"', f'    reply: "{reply}"',
                  f"    faulty: {str(faulty).lower()}", '    fault: "x"']
    assert main(["judge-test", str(_write(tmp_path, "\n".join(lines) + "\n")), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_material_the_shop_sells_only_at_extra_cost_is_no_claim_about_its_planters(tmp_path, capsys):
    # no product named: the shop's planters are pine; hardwood is a paid custom option
    d = _judge_singles(tmp_path, capsys,
                       ("muyi", "你家花箱用的啥木头", "亲,我们家花箱清一色菠萝格硬木,几十年不坏", True),
                       ("muyi", "你家花箱用的啥木头", "亲,现货是樟子松防腐木,想要菠萝格的可以定制,要加点钱", False))
    assert d["recall"] == 1.0 and d["false_positives"] == 0.0


def test_a_product_is_known_by_a_short_name_the_tokenizer_splits(tmp_path, capsys):
    # 雪纺裙 is the shop's 碎花雪纺连衣裙, whose chiffon must be washed by hand
    d = _judge_singles(tmp_path, capsys, ("huayun", "那条雪纺裙子好洗不", "好洗的亲,放洗衣机里洗就行", True))
    assert d["recall"] == 1.0
