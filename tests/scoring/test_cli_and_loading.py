"""`check-reply`, `simulate --json` with its report, and the rubric inside content loading and `validate`."""
import json
import shutil

from game.cli import main
from game.content.loader import load_library
from game.content.validate import check_file, kind_of

from tests.conftest import CONTENT


def test_check_reply_json_shape(capsys):
    assert main(["check-reply", "--json", "--stage", "objection", "不行,不能便宜", "亲,这款久站不累脚,不掉色哦"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(x) for x in lines)
    assert first["text"] == "不行,不能便宜" and first["stage"] == "objection"
    assert isinstance(first["score"], int) and 0 <= first["score"] < 60
    rules = {v["rule"] for v in first["violations"]}
    assert {"forbidden_buxing", "forbidden_buneng"} <= rules
    for v in first["violations"]:
        assert {"rule", "category", "text", "suggestion", "why", "start", "end", "severity"} <= set(v)
        assert first["text"][v["start"]:v["end"]] == v["text"]
    assert isinstance(first["strengths"], list)
    assert first["rewrite"] and "不行" not in first["rewrite"]
    assert not [v for v in second["violations"] if v["category"] == "forbidden"]
    assert {s["id"] for s in second["strengths"]} >= {"address", "softener"}


def test_check_reply_file_and_plain_text(tmp_path, capsys):
    f = tmp_path / "replies.txt"
    f.write_text("爱买不买\n\n亲,您好!很高兴为您服务~\n", encoding="utf-8")
    assert main(["check-reply", "--file", str(f)]) == 0
    out = capsys.readouterr().out
    assert out.count("回复:") == 2 and "得分: 50/100" in out and "辱骂" in out and "原因:" in out
    assert "问题: 无" in out and "优点:" in out


def test_check_reply_facts_need_a_persona(capsys):
    main(["check-reply", "--json", "亲,这款原价188元哦"])
    assert json.loads(capsys.readouterr().out)["violations"] == []
    main(["check-reply", "--json", "--persona", "haggler-nurse-shoes", "亲,这款原价188元哦"])
    assert [v["rule"] for v in json.loads(capsys.readouterr().out)["violations"]] == ["fact_price"]


def test_check_reply_errors(capsys):
    assert main(["check-reply", "--stage", "greting", "您好"]) == 2
    assert "did you mean 'greeting'" in capsys.readouterr().err
    assert main(["check-reply"]) == 2
    assert main(["check-reply", "--file", "/nonexistent/x.txt"]) == 2


def test_simulate_json_carries_the_report(capsys):
    script = str(CONTENT / "personas" / "haggler-nurse-shoes.test.yaml")
    assert main(["simulate", "haggler-nurse-shoes", "--script", script, "--case", "good-agent", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    rep = d["report"]
    assert rep["total"] >= 80 and rep["grade"] in ("A", "B")
    assert set(rep["dimensions"]) == {"politeness", "taboo", "timing", "flow", "closing"}
    assert rep["closing"]["final_price"] == 160
    assert main(["simulate", "haggler-nurse-shoes", "--script", script, "--case", "bad-agent"]) == 0
    out = capsys.readouterr().out
    assert "评分报告" in out and "改进建议" in out and "爱买不买" in out


def test_test_scenarios_prints_totals(capsys):
    assert main(["test-scenarios", str(CONTENT / "personas" / "damaged-dress.test.yaml")]) == 0
    out = capsys.readouterr().out
    assert "good-agent" in out and "total 100 (A)" in out


def test_library_has_the_rubric(library):
    assert library.rubric is not None
    assert len(library.rubric.rules) >= 40
    cats = {r.category for r in library.rubric.rules}
    # "substance" is the category of the situations' moves and faults (rules/situations.yaml)
    assert cats | {"substance"} == set(library.rubric.config.categories)
    assert kind_of(CONTENT / "rules" / "scoring.yaml") == "rubric"
    assert kind_of(CONTENT / "rules" / "rubric-language.yaml") == "rubric"
    assert check_file(library, CONTENT / "rules" / "rubric-service.yaml").ok


def test_a_broken_rule_is_reported_and_the_rest_still_score(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    path = root / "rules" / "rubric-language.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    category: forbidden\n    severity: major\n    title: 说\"不行\"",
                        "    category: forbiden\n    severity: major\n    title: 说\"不行\"", 1)
    path.write_text(text, encoding="utf-8")
    lib = load_library(root)
    assert lib.rubric is not None and lib.rubric.rule("forbidden_buxing") is None
    assert lib.rubric.rule("forbidden_buneng") is not None
    (bad,) = [r for r in lib.broken if r.path.endswith("rubric-language.yaml")]
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "category: forbiden" in ln)
    msg = bad.format()
    assert f":{line}:15: error: unknown category 'forbiden'; did you mean 'forbidden'?" in msg
    assert ">>>" in msg


def test_a_broken_config_disables_scoring_but_not_the_game(tmp_path, capsys):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    (root / "rules" / "scoring.yaml").write_text("version: 1\nseverities: [oops\n", encoding="utf-8")
    lib = load_library(root)
    assert lib.rubric is None and lib.personas
    assert any(r.path.endswith("scoring.yaml") for r in lib.broken)
    assert main(["--content", str(root), "check-reply", "您好"]) == 2
    assert "scoring.yaml" in capsys.readouterr().err
    script = str(root / "personas" / "haggler-nurse-shoes.test.yaml")
    assert main(["--content", str(root), "simulate", "haggler-nurse-shoes", "--script", script,
                 "--case", "good-agent", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["report"] is None
