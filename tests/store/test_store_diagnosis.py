"""The diagnosis of unconverted chats reads its causes, intents and words from scenarios/rules/diagnosis.yaml."""
import shutil

from game.cli import main
from game.content.loader import load_diagnosis, load_library
from game.content.validate import check_file
from game.store.db import Session, StoredMessage
from game.store.diagnose import CODES, default_rules, diagnose, diagnose_session
from game.store.replay import replay_steps

from test_store_replay import BAD

SHIPPED_ADVICE = "称呼“亲/您”,多用“哦、呢、呀”和表情"


def _session(outcome="lost", **info):
    return Session(1, "小王", "p", "测试", "", "", "practice", "simulate", 1, "finished", outcome, None, "s", 50.0,
                   [], {"kind": "sale", **info}, None, None, None, 0.0, 1.0, None)


def _agent(seq, text, feedback=None, intents=()):
    return StoredMessage(seq, float(seq * 5), "agent", "say", text, wait=5.0, first=seq == 1,
                         intents=list(intents), feedback=feedback)


def _fault(category, rule="", severity="major"):
    return {"score": 60, "hits": [{"rule": rule, "category": category, "severity": severity, "title": rule or category,
                                   "why": "x", "suggestion": ""}]}


def test_the_library_exposes_the_shipped_diagnosis(library):
    assert library.diagnosis is not None
    assert not [r for r in library.broken if r.path.endswith("diagnosis.yaml")]
    assert set(library.diagnosis.causes) == set(CODES)
    assert library.diagnosis.title("facts") == "产品不熟" == default_rules().title("facts")
    assert "refuse_discount" in library.diagnosis.group("refuse")


def test_an_edited_copy_changes_the_advice(store, record, library, tmp_path, capsys):
    content = tmp_path / "scenarios"
    shutil.copytree(library.root, content)
    f = content / "rules" / "diagnosis.yaml"
    text = f.read_text(encoding="utf-8")
    assert SHIPPED_ADVICE in text
    f.write_text(text.replace(SHIPPED_ADVICE, "先道歉,再微笑"), encoding="utf-8")
    lib2 = load_library(content)
    assert lib2.ok, "\n".join(r.format() for r in lib2.broken)

    sid = record(store, "haggler-nurse-shoes", BAD, seed=3)
    shipped = diagnose_session(store, sid)
    edited = diagnose_session(store, sid, rules=lib2.diagnosis)
    attitude = lambda d: next(c for c in d.causes if c.code == "attitude")  # noqa: E731
    assert attitude(shipped).advice.startswith(SHIPPED_ADVICE)
    assert attitude(edited).advice.startswith("先道歉,再微笑")
    assert attitude(edited).to_dict()["advice"].startswith("先道歉,再微笑")
    lines = [x for st in replay_steps(store, sid, diagnosis=lib2.diagnosis) for x in st.lines]
    assert any("建议: 先道歉,再微笑" in x for x in lines)

    # the commands read the --content folder's copy (the store fixture keeps tmp_path/kefusim.db)
    data = str(tmp_path)
    assert main(["--data-dir", data, "--content", str(content), "replay", str(sid), "--speed", "0"]) == 0
    out = capsys.readouterr().out
    assert "建议: 先道歉,再微笑" in out and SHIPPED_ADVICE not in out
    assert main(["--data-dir", data, "replay", str(sid), "--speed", "0"]) == 0
    assert SHIPPED_ADVICE in capsys.readouterr().out
    assert main(["--data-dir", data, "--content", str(content), "export", "--format", "html", "-o", "-"]) == 0
    assert "先道歉,再微笑" in capsys.readouterr().out


def test_errors_have_positions_and_hints(library, tmp_path):
    f = tmp_path / "rules" / "diagnosis.yaml"
    f.parent.mkdir()
    f.write_text("version: 1\n"
                 "causes:\n"
                 "  facts: {title: 产品不熟, advice: 先熟悉商品}\n"
                 "  slwo: {title: 慢, advice: 快点}\n"
                 "feedback:\n"
                 "  categories:\n"
                 "    politenes: {cause: attitude, scale: 1}\n"
                 "    taboo: {cause: atitude}\n"
                 "  rules:\n"
                 "    forbidden_dont_knwo: {cause: facts}\n"
                 "intents:\n"
                 "  refuse: [refuse, refuse_discont]\n"
                 "fallback:\n"
                 "  polite: [亲, '!!']\n", encoding="utf-8")
    rep, rules = load_diagnosis(f, library.intent_names, library.rubric)
    out = rep.format()
    path = rep.path
    assert f"{path}:12:20: error: unknown intent 'refuse_discont'; did you mean 'refuse_discount'?" in out
    assert f"{path}:4:3: error: unknown cause 'slwo'; did you mean 'slow'?" in out
    assert "unknown category 'politenes'; did you mean 'politeness'?" in out
    assert "unknown cause 'atitude'; did you mean 'attitude'?" in out
    assert "unknown rubric rule 'forbidden_dont_knwo'; did you mean 'forbidden_dont_know'?" in out
    assert "the cause 'objection' is missing" in out and "the cause 'slow' is missing" not in out  # misspelt
    assert f"{path}:14:15: error: '!!' in 'polite' has no letter or digit" in out
    # what is right is kept; validate checks the file the same way
    assert rules.group("refuse") == {"refuse"} and rules.title("facts") == "产品不熟" and rules.title("slow") == "slow"
    assert check_file(library, f).format() == out
    assert not check_file(library, library.root / "rules" / "diagnosis.yaml").problems


def test_fallback_words_ignore_spacing_punctuation_and_traditional_characters():
    msgs = [_agent(1, "在"), _agent(2, "不 行 !!"), _agent(3, "這個我不瞭解"), _agent(4, "沒  辦法。。")]
    d = diagnose(_session(), msgs, [])
    ev = {c.code: c.evidence for c in d.causes}
    assert any("生硬地拒绝" in e and "不 行" in e for e in ev["attitude"])
    assert any("生硬地拒绝" in e and "沒 辦法" in e for e in ev["attitude"])
    assert any("這個我不瞭解" in e and "不熟" in e for e in ev["facts"])
    assert any("没有一次称呼" in e for e in ev["attitude"])
    polite = diagnose(_session(), [_agent(1, "在的/:^_^"), _agent(2, "好的 親")], [])
    assert not any("没有一次称呼" in e for c in polite.causes for e in c.evidence)


def test_judged_replies_are_read_through_the_feedback_categories():
    clean = {"score": 100, "hits": []}
    # the scorer judged "不知道您穿多大码" fine: the word list does not overrule it
    d = diagnose(_session(), [_agent(1, "亲,您好", clean), _agent(2, "不知道您穿多大码呢", clean)], [])
    assert "facts" not in d.codes
    # the rule id points at a cause besides its category
    d = diagnose(_session(), [_agent(1, "亲,您好", clean),
                              _agent(2, "我不知道", _fault("forbidden", "forbidden_dont_know"))], [])
    assert {"facts", "attitude"} <= set(d.codes)
    d = diagnose(_session(), [_agent(1, "亲,您好", clean), _agent(2, "这款有货", _fault("facts", "fact_stock_out"))], [])
    assert "facts" in d.codes
    # a category the file maps elsewhere moves the diagnosis with it
    rules = default_rules()
    edited = type(rules)(**{**rules.__dict__, "categories": {**rules.categories,
                                                             "facts": rules.categories["flow"].__class__("flat", 5)}})
    d = diagnose(_session(), [_agent(1, "亲,您好", clean), _agent(2, "这款有货", _fault("facts", "fact_stock_out"))], [],
                 rules=edited)
    assert "facts" not in d.codes and d.causes[0].code == "flat" and d.causes[0].weight >= 5


def test_a_missing_file_still_diagnoses(tmp_path, monkeypatch):
    import game.store.diagnose as dg
    monkeypatch.setattr(dg, "DEFAULT_PATH", tmp_path / "none.yaml")
    monkeypatch.setattr(dg, "_default", None)
    d = diagnose(_session(outcome="bad_review"), [_agent(1, "在"), _agent(2, "爱买不买")], [])
    assert "attitude" in d.codes and d.causes[0].title in CODES
