"""Exports on a store filled by `simulate --record`: CSV a row per session, HTML with every chat and SVG."""
import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from game.cli import main
from game.store.db import Store

ROOT = Path(__file__).resolve().parent.parent.parent
PERSONAS = ROOT / "scenarios" / "personas"
RUNS = [  # (persona, case, profile)
    ("haggler-nurse-shoes", "good-agent", "小王"),
    ("haggler-nurse-shoes", "bad-agent", "小王"),
    ("haggler-nurse-shoes", "silent-agent", "小李"),
    ("haggler-nurse-shoes", "gives-away-the-floor", "小李"),
    ("damaged-dress", "good-agent", "<b>小张</b>"),
]


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    for persona, case, profile in RUNS:
        rc = main(["--data-dir", str(data), "simulate", persona, "--script", str(PERSONAS / f"{persona}.test.yaml"),
                   "--case", case, "--record", "--profile", profile, "--json"])
        assert rc == 0
    return data


class _Check(HTMLParser):
    VOID = {"meta", "br", "circle", "rect", "line", "polyline", "link", "img", "hr", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.ids = [], [], []

    def handle_starttag(self, tag, attrs):
        self.ids += [v for k, v in attrs if k == "id"]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.ids += [v for k, v in attrs if k == "id"]

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def test_simulate_record_fills_the_store(filled, capsys):
    with Store.open(filled) as s:
        sessions = s.sessions()
        assert [(x.persona_id, x.profile) for x in sessions] == [(p, who) for p, _, who in RUNS]
        assert all(x.status == "finished" and x.source == "simulate" for x in sessions)
        assert [x.outcome for x in sessions] == ["success", "bad_review", "lost", "success", "success"]
        assert all(s.messages(x.id) for x in sessions)


def test_csv_has_a_row_per_session(filled, tmp_path, capsys):
    out = tmp_path / "sessions.csv"
    assert main(["--data-dir", str(filled), "export", "--format", "csv", "-o", str(out)]) == 0
    assert "已导出 5 次会话" in capsys.readouterr().out
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                          # a BOM, so spreadsheets read Chinese
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == len(RUNS)
    assert [r["persona"] for r in rows] == [p for p, _, _ in RUNS]
    assert [r["结果"] for r in rows] == ["成交", "差评", "流失", "成交", "成交"]
    assert rows[1]["first_reply_s"] == "25" and rows[1]["slow_replies"] == "1"
    assert "态度生硬" in rows[1]["诊断"] and "反应不灵敏" in rows[2]["诊断"] and rows[0]["诊断"] == ""
    assert rows[3]["flags"] == "below_floor"
    assert rows[2]["nudges"] == "2" and rows[2]["agent_messages"] == "0"
    for r in rows:                                                   # the scorer's report, when there is one
        assert r["total"] == "" or 0 <= float(r["total"]) <= 100
        if r["total"]:
            assert r["grade"] and 0 <= float(r["politeness"]) <= 100
    assert all(r["persona_digest"] and r["content_hash"] for r in rows)


def test_csv_filters_by_profile_and_date(filled, capsys):
    assert main(["--data-dir", str(filled), "export", "--format", "csv", "--profile", "小李", "-o", "-"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["profile"] for r in rows] == ["小李", "小李"]
    assert main(["--data-dir", str(filled), "export", "--format", "csv", "--since", "2999-01-01", "-o", "-"]) == 0
    assert list(csv.DictReader(io.StringIO(capsys.readouterr().out))) == []
    assert main(["--data-dir", str(filled), "export", "--format", "csv", "--since", "2000-01-01", "-o", "-"]) == 0
    assert len(list(csv.DictReader(io.StringIO(capsys.readouterr().out)))) == 5
    assert main(["--data-dir", str(filled), "export", "--since", "yesterday", "-o", "-"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_csv_cells_never_become_formulas(tmp_path, capsys):
    with Store(tmp_path / "kefusim.db") as s:
        s.begin_session("=HYPERLINK(\"x\")", "p")
    assert main(["--data-dir", str(tmp_path), "export", "--format", "csv", "-o", "-"]) == 0
    [row] = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["profile"].startswith("'=")


def test_html_report(filled, tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["--data-dir", str(filled), "export", "--format", "html", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html
    assert html.count("<svg") >= 3                                    # scores, conversion, causes
    for n in range(1, len(RUNS) + 1):
        assert f'id="session-{n}"' in html
    assert "&lt;b&gt;小张&lt;/b&gt;" in html and "<b>小张</b>" not in html   # stored text is escaped
    assert "询单转化率" in html and "60%" in html
    assert "未成交原因" in html and "态度生硬" in html and "建议:" in html
    assert "爱买不买" in html and "等了 25 秒 超时" in html
    assert not re.search(r"<script|src=|href=\"http", html)        # self-contained
    check = _Check()
    check.feed(html)
    assert check.errors == [] and check.stack == []
    assert len(check.ids) == len(set(check.ids))
    # the chats that did not convert come first, as a trainer reads them
    order = [int(m) for m in re.findall(r'<section class="chat [a-z]+" id="session-(\d+)"', html)]
    assert order[:2] == [2, 3]


def test_html_with_scores_has_score_charts(tmp_path):
    from game.store.export import to_html
    with Store(tmp_path / "kefusim.db") as s:
        for total in (50, 70, 90):
            sid = s.begin_session("小王", "p", persona_title="场景")
            s.finish_session(sid, outcome="success" if total > 60 else "lost",
                             report={"total": total, "dimensions": {"politeness": total, "timing": 100 - total}})
        html = to_html(s, s.sessions())
    assert "总分变化" in html and "各维度平均分" in html and "<polyline" in html
    assert html.count("<circle") == 3
    empty = to_html(s, [])
    assert "没有练习记录" in empty
