"""The terminal classroom: the trainer's commands and a student's typed lines; main.py host/join."""
import io
import os
import subprocess
import sys

from game.classroom.cli import HostConsole, JoinConsole, format_board
from tests.classroom.helpers import PERSONA, acked, joined, wait_until
from tests.conftest import ROOT


def console(host, **kw):
    out = io.StringIO()
    return HostConsole(host, out=out, **kw), out


def test_the_trainer_console(make_host, make_student, store, tmp_path):
    host = make_host(store=store)
    con, out = console(host, personas=[PERSONA])
    con.banner()
    text = out.getvalue()
    assert host.code in text and host.address() in text and "python main.py join" in text
    s = make_student(host, "小王")
    joined(s.client)
    join_out = io.StringIO()
    jc = JoinConsole(s, out=join_out)
    assert con.command("pair")
    assert "学员不足两人" in out.getvalue()
    assert con.command("start")
    wait_until(lambda: (jc.pump(), s.round)[-1], what="the round")
    assert "第 1 回合" in join_out.getvalue() and "砍价的护士鞋买家" in join_out.getvalue()
    assert jc.typed("亲,您好!很高兴为您服务")
    acked(s.client, host)
    con.pump(now=0.0)
    assert "+ 小王 加入" in out.getvalue() and "第 1 回合开始" in out.getvalue()
    con.command("board")
    con.command("show 小王")
    assert "客服: 亲,您好!很高兴为您服务" in out.getvalue()
    con.command("start")
    assert "还没有结束" in out.getvalue()
    host.end_round()
    wait_until(lambda: (jc.pump(), "回合结束" in join_out.getvalue())[-1], what="round end on the student")
    wait_until(lambda: host.current_round["ended"], what="round end")
    con.pump()
    assert "领奖台" in out.getvalue() and "小王" in format_board(host.leaderboard())
    con.command(f"export {tmp_path / 'r.html'}")
    assert (tmp_path / "r.html").exists()
    for cmd in ("mode exam", "roleplay on", "lesson bargaining 2", "students", "nonsense"):
        assert con.command(cmd)
    assert "课程 bargaining 第 2 步" in out.getvalue() and "命令:" in out.getvalue()
    assert not con.command("quit")
    assert jc.typed("/quit") is False


def test_a_buyer_in_the_terminal_ends_with_a_command(make_host, make_student):
    host = make_host()
    a, b = make_student(host, "一"), None
    joined(a.client)
    b = make_student(host, "二")
    joined(b.client)
    host.pair()
    con, _ = console(host, personas=[PERSONA], roleplay=True)
    con.command("start")
    oa, ob = io.StringIO(), io.StringIO()
    ja, jb = JoinConsole(a, out=oa), JoinConsole(b, out=ob)
    wait_until(lambda: (ja.pump(), jb.pump(), a.round and b.round)[-1], what="seats")
    assert "你扮演买家" in oa.getvalue() and "角色卡" in oa.getvalue() and "你扮演客服" in ob.getvalue()
    ja.typed("在吗?")
    wait_until(lambda: (ja.pump(), jb.pump(), "在吗?" in ob.getvalue())[-1], what="the buyer's line")
    jb.typed("/成交")
    wait_until(lambda: (jb.pump(), "只有扮演买家" in ob.getvalue())[-1], what="refusal")
    jb.typed("亲,您好")
    ja.typed("/成交")
    wait_until(lambda: (ja.pump(), jb.pump(), "对话结束" in oa.getvalue() and "对话结束" in ob.getvalue())[-1],
               what="the end")
    assert "成交" in ob.getvalue()


def run_main(*args, stdin="", timeout=120):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], input=stdin, capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=str(ROOT))


def test_main_host_prints_the_code_and_quits():
    r = run_main("host", "--bind", "127.0.0.1", "--port", "0", "--persona", PERSONA, "--no-record", stdin="board\nquit\n")
    assert r.returncode == 0, r.stderr
    assert "join code:" in r.stdout and "127.0.0.1:" in r.stdout and "课堂已关闭" in r.stdout


def test_main_join_refuses_bad_arguments_before_connecting():
    r = run_main("join", "127.0.0.1:1", "--name", "小王", "--code", "12")
    assert r.returncode == 2 and "房间码" in r.stderr
    r = run_main("join", "127.0.0.1:1", "--name", "<x>", "--code", "123456")
    assert r.returncode == 2 and "名字" in r.stderr
    r = run_main("host", "--persona", "no-such", "--bind", "127.0.0.1", "--port", "0")
    assert r.returncode == 2 and "no-such" in r.stderr
