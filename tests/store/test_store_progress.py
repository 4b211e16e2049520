"""History and progress: first, best and latest per persona and dimension; 询单转化率."""
import pytest

from game.cli import main
from game.store.db import Store
from game.store.progress import format_history, progress


def rep(total, **dims):
    return {"total": total, "grade": "B" if total >= 80 else "D",
            "dimensions": {k: {"score": v, "title": k} for k, v in dims.items()}}


def fill(store):
    plan = [  # persona, outcome (None: interrupted, "live": still playing), report
        ("haggler", "lost", rep(55, politeness=60, timing=40)),
        ("haggler", "success", rep(82, politeness=90, timing=70)),
        ("dress", "success", rep(75, politeness=80, timing=90)),
        ("haggler", None, None),
        ("haggler", "success", rep(78, politeness=85, timing=95)),
        ("dress", "bad_review", None),                            # no scorer attached: no score
        ("dress", "live", None),
    ]
    for persona, outcome, report in plan:
        sid = store.begin_session("小王", persona, persona_title=persona.upper())
        if outcome == "live":
            continue
        if outcome is None:
            store.interrupt_session(sid)
        else:
            store.finish_session(sid, outcome=outcome, report=report)
    other = store.begin_session("小李", "haggler")
    store.finish_session(other, outcome="success", report=rep(99, politeness=99))


def test_progress_numbers(store):
    fill(store)
    pr = progress(store.sessions(profile="小王"), "小王")
    assert (pr.sessions, pr.successes, pr.interrupted, pr.live) == (6, 3, 1, 1)
    assert pr.conversion == pytest.approx(3 / 6)
    assert (pr.total.first, pr.total.best, pr.total.latest, pr.total.count) == (55, 82, 78, 4)
    assert pr.dims["politeness"].to_dict() == {"first": 60, "best": 90, "latest": 85, "count": 4}
    assert (pr.dims["timing"].first, pr.dims["timing"].best, pr.dims["timing"].latest) == (40, 95, 95)
    h = pr.persona("haggler")
    assert (h.sessions, h.successes, h.interrupted, h.conversion) == (4, 2, 1, 0.5)
    assert (h.total.first, h.total.best, h.total.latest) == (55, 82, 78)
    d = pr.persona("dress")
    assert (d.sessions, d.successes, d.live, d.conversion) == (2, 1, 1, 0.5)
    assert (d.total.first, d.total.best, d.total.latest, d.total.count) == (75, 75, 75, 1)
    assert [p.total for p in pr.series] == [55, 82, 75, 78, None]
    assert [p.attempt for p in pr.series] == [1, 2, 3, 4, 5]
    everyone = progress(store.sessions())
    assert (everyone.sessions, everyone.successes) == (7, 4) and everyone.total.best == 99
    assert pr.to_dict()["personas"][0]["persona"] == "dress"


def test_history_text(store):
    fill(store)
    text = format_history(store.sessions(profile="小王"), "小王")
    assert "6 次会话, 成交 3, 询单转化率 50%, 中断 1, 进行中 1" in text
    assert "总分: 首次 55, 最佳 82, 最近 78" in text
    assert "HAGGLER" in text and "礼貌用语" in text and "响应时效" in text
    lines = text.splitlines()
    row = next(line for line in lines if line.startswith("HAGGLER"))
    assert row.split() == ["HAGGLER", "4", "2", "50%", "55", "82", "78"]
    assert format_history([], "新人").startswith("学员 新人 还没有练习记录")


def test_history_command(tmp_path, capsys):
    with Store(tmp_path / "kefusim.db") as s:
        fill(s)
    assert main(["--data-dir", str(tmp_path), "history", "--profile", "小李"]) == 0
    out = capsys.readouterr().out
    assert "学员 小李: 1 次会话, 成交 1, 询单转化率 100%" in out
    assert main(["--data-dir", str(tmp_path), "history", "--profile", " "]) == 2
    assert "不能为空" in capsys.readouterr().err
