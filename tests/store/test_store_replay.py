"""Replay a stored chat with its timing and feedback; diagnose chats that did not convert (seed 002)."""
import io

import pytest

from game.cli import main
from game.store.db import Store
from game.store.diagnose import diagnose_session
from game.store.replay import replay_steps, run_replay

from test_store_recorder import Judge


def library_root():
    from pathlib import Path
    return Path(__file__).resolve().parent.parent.parent / "scenarios"

GOOD = """+4s 亲,您好!欢迎光临大礼拜旗舰店,很高兴为您服务
+6s 亲,我们家都是明码标价的哦,这款是头层牛皮,做工和质量都很好,真的值这个价呢
+8s 非常理解您,我请示一下店长看能不能给您优惠,您稍等
+10s 亲,店长同意给您160元,再送您一双鞋垫,这已经是最大的优惠了
+6s 今天3点半前拍下当天就给您发货哦
+8s 好的亲,请核对一下收货地址,感谢您的惠顾,祝您工作愉快!
"""
BAD = "+25s 在\n+10s 不行,不能便宜\n+10s 爱买不买\n"
SILENT = "+90s\n"


def test_replay_prints_every_step_with_timing_feedback_and_states(store, record):
    sid = record(store, "haggler-nurse-shoes", "+4s 亲,您好\n+25s 不行\n", judge=Judge(), seed=3,
                 report={"total": 61, "grade": "D", "dimensions": {"politeness": 70, "timing": 40},
                         "improvements": [{"text": "不行", "rewrite": "非常抱歉,无法再低了", "why": "生硬的拒绝"}]})
    out = io.StringIO()
    assert run_replay(store, sid, out, speed=0, intent_titles={"greet": "问好"})
    text = out.getvalue()
    lines = text.splitlines()
    assert lines[0] == f"== 回放 #{sid}: 砍价的护士鞋买家 (haggler-nurse-shoes) =="
    assert "学员 小王 · 练习" in lines[1] and "种子 3" in lines[1]
    msgs = store.messages(sid)
    pos = 0
    for m in msgs:                                            # every message, in the order they were said
        pos = text.index(f"{m.text}", pos) + 1
    assert "[00:05.0] 客服: 亲,您好  (回复用时 4.0 秒 ✓)" in text
    assert "回复用时 25.0 秒 超时" in text
    assert "✗ 禁用语(较重): 生硬的拒绝 → 建议: 非常抱歉,无法再低了" in text
    assert "✓ 称呼亲" in text and "本条得分 70" in text
    assert "→ 买家状态 opening → asking (问好)" in text
    assert "总分 61 (D)  礼貌用语 70  响应时效 40" in text
    assert "改进 1: 生硬的拒绝  原句 “不行” → “非常抱歉,无法再低了”" in text
    assert "诊断: 未成交" in text or "== 结果: 成交" in text


def test_replay_waits_real_time_scaled(store, record):
    sid = record(store, "haggler-nurse-shoes", "+4s 亲,您好\n+6s 给您算140元吧\n", seed=2)
    slept = []
    run_replay(store, sid, io.StringIO(), speed=2, sleep=slept.append)
    times = [m.time for m in store.messages(sid)]
    assert sum(slept) == pytest.approx(times[-1] / 2)
    assert slept[0] == pytest.approx(times[0] / 2)
    slept.clear()
    run_replay(store, sid, io.StringIO(), speed=0, sleep=slept.append)
    assert slept == []


def test_replay_command(tmp_path, capsys):
    with Store(tmp_path / "kefusim.db") as s:
        sid = s.begin_session("小王", "x", persona_title="测试")
    assert main(["--data-dir", str(tmp_path), "replay", str(sid), "--speed", "0"]) == 0
    out = capsys.readouterr().out
    assert "回放 #1: 测试" in out and "会话没有结束" in out
    assert main(["--data-dir", str(tmp_path), "replay", "99", "--speed", "0"]) == 2
    assert "没有编号为 99 的会话" in capsys.readouterr().err
    assert main(["--data-dir", str(tmp_path), "replay", "1", "--speed", "-1"]) == 2
    with Store(tmp_path / "kefusim.db") as s:
        assert replay_steps(s, 99) is None
        assert [st.kind for st in replay_steps(s, 1)] == ["header", "summary"]


def test_diagnosis_names_seed_002_causes(store, record):
    good = diagnose_session(store, record(store, "haggler-nurse-shoes", GOOD, seed=3))
    assert good.converted and good.summary.startswith("已成交")

    bad = diagnose_session(store, record(store, "haggler-nurse-shoes", BAD, seed=3))
    assert not bad.converted and bad.summary.startswith("未成交(差评)")
    assert {"attitude", "slow"} <= set(bad.codes) and bad.codes[0] == "attitude"
    slow = next(c for c in bad.causes if c.code == "slow")
    assert any("等了 25 秒(上限 15 秒)" in e for e in slow.evidence)

    silent = diagnose_session(store, record(store, "haggler-nurse-shoes", SILENT, seed=1))
    assert silent.codes[0] == "slow" and "买家等不到回复,离开了" in silent.causes[0].evidence

    unsure = diagnose_session(store, record(store, "haggler-nurse-shoes",
                                            "+4s 亲,您好\n+5s 这个我也不知道呢\n+5s 不清楚哦\n+30s\n+30s\n+30s", seed=3))
    assert "facts" in unsure.codes
    assert "产品不熟" in unsure.summary

    # a buyer asking the same thing again: the objection was not answered
    repeat = diagnose_session(store, record(store, "haggler-nurse-shoes",
                                            "+4s 亲,您好\n+5s 亲,今天就能发货哦\n+5s 亲,我们发中通快递\n+60s\n+60s",
                                            seed=3))
    assert "objection" in repeat.codes
    assert any("又问了一遍" in e for c in repeat.causes for e in c.evidence)
    for c in repeat.causes:
        assert c.advice and c.title and c.to_dict()["evidence"]


def test_rerun_reproduces_a_session_and_notices_changed_content(store, record, library, reader, tmp_path):
    import shutil

    from game.content.loader import load_library
    from game.store.rerun import rerun
    for script, seed in ((GOOD, 3), (BAD, 3), (SILENT, 1)):
        sid = record(store, "haggler-nurse-shoes", script, seed=seed)
        s = store.session(sid)
        r = rerun(s, store.messages(sid), library.personas["haggler-nurse-shoes"], reader,
                  defaults=library.buyer_defaults)
        assert r.same and not r.content_changed and r.outcome == s.outcome, r.differences
    content = tmp_path / "scenarios"
    shutil.copytree(library.root, content)
    f = content / "personas" / "haggler-nurse-shoes.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("别家才{rival_price}", "隔壁才{rival_price}"), encoding="utf-8")
    lib2 = load_library(content)
    sid = record(store, "haggler-nurse-shoes", BAD.replace("爱买不买", "我们家都是明码标价的,质量很好"), seed=3)
    r = rerun(store.session(sid), store.messages(sid), lib2.personas["haggler-nurse-shoes"], reader,
              defaults=lib2.buyer_defaults)
    assert r.content_changed


def test_replay_verify_command(tmp_path, capsys):
    data = str(tmp_path)
    assert main(["--data-dir", data, "simulate", "damaged-dress", "--script",
                 str(library_root() / "personas" / "damaged-dress.test.yaml"),
                 "--case", "good-agent", "--record"]) == 0
    capsys.readouterr()
    assert main(["--data-dir", data, "replay", "1", "--verify"]) == 0
    assert "重现一致 ✓ 会话 #1" in capsys.readouterr().out
