"""The authoring tools as a trainer runs them."""
import json
import subprocess
import sys
import time
from pathlib import Path

from game.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "broken"


def test_validate_passes_on_shipped_content(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "0 error(s)" in out


def test_validate_fails_with_exact_lines_on_fixtures(capsys):
    assert main(["validate", str(FIXTURES)]) == 1
    out = capsys.readouterr().out
    assert "unknown state 'dnoe'; did you mean 'done'?" in out
    assert "unknown_target_state.yaml:23:" in out
    assert ">>>" in out


def test_validate_single_file(capsys):
    assert main(["validate", str(ROOT / "scenarios" / "personas" / "damaged-dress.yaml")]) == 0
    assert main(["validate", "no/such/file.yaml"]) == 1


def test_simulate_json(tmp_path, capsys):
    script = tmp_path / "s.txt"
    script.write_text("+4s 亲,您好,很高兴为您服务\n+6s 给您算140元吧\n", encoding="utf-8")
    assert main(["simulate", "haggler-nurse-shoes", "--script", str(script), "--seed", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outcome"] == "success" and data["state"] == "ordered_cheap"
    assert "below_floor" in data["flags"]
    agent = [m for m in data["transcript"] if m["who"] == "agent"]
    assert agent[0]["time"] > 4 and "greet" in agent[0]["intents"]
    assert data["states"][0] == {"time": agent[0]["time"], "trigger": "greet", "from": "opening", "to": "asking"}


def test_simulate_text_and_case(capsys):
    f = ROOT / "scenarios" / "personas" / "damaged-dress.test.yaml"
    assert main(["simulate", "damaged-dress", "--script", str(f), "--case", "good-agent"]) == 0
    out = capsys.readouterr().out
    assert "王女士:" in out and "客服:" in out and "outcome: success" in out


def test_simulate_reports_bad_script_and_unknown_persona(tmp_path, capsys):
    script = tmp_path / "bad.txt"
    script.write_text("+4s 您好\n+x 嗯\n", encoding="utf-8")
    assert main(["simulate", "haggler-nurse-shoes", "--script", str(script)]) == 2
    assert f"{script}:2:1: error" in capsys.readouterr().err
    assert main(["simulate", "hagler-nurse-shoes", "--script", str(script)]) == 2
    assert "did you mean 'haggler-nurse-shoes'" in capsys.readouterr().err


def test_graph_formats(capsys):
    assert main(["graph", "haggler-nurse-shoes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("stateDiagram-v2") and "asking --> ordered_cheap: offer_discount [offer_price < floor_price]" in out
    assert main(["graph", "haggler-nurse-shoes", "--format", "dot"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('digraph "haggler-nurse-shoes"') and '"ordered" [shape=doublecircle' in out


def test_test_scenarios_passes_and_fails(tmp_path, capsys):
    assert main(["test-scenarios"]) == 0
    out = capsys.readouterr().out
    assert "ok   haggler-nurse-shoes :: good-agent" in out
    failing = tmp_path / "x.test.yaml"
    failing.write_text("version: 1\npersona: haggler-nurse-shoes\ncases:\n  - name: wrong\n    script: |\n"
                       "      +4s 爱买不买\n    expect: {outcome: success}\n", encoding="utf-8")
    assert main(["test-scenarios", str(failing)]) == 1
    assert "FAIL haggler-nurse-shoes :: wrong: outcome bad_review" in capsys.readouterr().out


class _Player:
    """A terminal game in a real process; waits for what it prints instead of sleeping blindly."""

    def __init__(self, *args):
        import queue
        import threading
        self.proc = subprocess.Popen([sys.executable, "main.py", "play", "--text", *args], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, encoding="utf-8")
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen = ""
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 20.0) -> None:
        import queue
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            try:
                self.seen += self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"{text!r} never appeared in:\n{self.seen}") from None

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def finish(self) -> str:
        self.proc.stdin.close()
        self.proc.wait(timeout=20)
        self.thread.join(timeout=5)
        self.proc.stdout.close()
        self.proc.stderr.close()
        while not self.lines.empty():
            self.seen += self.lines.get()
        return self.seen


def test_text_play_in_a_real_process():
    p = _Player("haggler-nurse-shoes", "--seed", "4")
    p.wait_for("小雨:")  # the buyer's opening line shows after about a second
    p.send("亲,您好!很高兴为您服务")
    p.wait_for("回复用时")
    p.send("/quit")
    p.wait_for("已退出")
    out = p.finish()
    assert p.proc.returncode == 0
    assert "砍价的护士鞋买家" in out


def test_text_play_shows_the_shop_facts_and_quits_on_q():
    p = _Player("haggler-nurse-shoes", "--seed", "4")
    p.wait_for("小雨:")
    p.send("q")  # never sent to the buyer as a reply
    p.wait_for("已退出")
    out = p.finish()
    assert p.proc.returncode == 0
    assert "偏小半码" in out and "15:30前付款当天发" in out and "满99元包邮" in out
    assert "客服: q" not in out


def test_text_play_quits_cleanly_while_its_piped_input_stays_open():
    # the input thread used to hold stdin's lock at exit: "could not acquire lock for <stdin>", abort
    for seed in ("4", "5"):
        p = _Player("haggler-nurse-shoes", "--seed", seed)
        p.wait_for("小雨:")
        p.send("q")
        p.wait_for("已退出")
        rc = p.proc.wait(timeout=20)  # stdin is still open here
        err = p.proc.stderr.read()
        p.finish()
        assert rc == 0 and "lock" not in err, err


def test_text_play_info_and_help_are_commands_not_replies():
    p = _Player("haggler-nurse-shoes", "--seed", "4")
    p.wait_for("小雨:")
    p.send("/help")
    p.wait_for("命令: /info")
    p.send("/info")
    p.wait_for("15:30前付款当天发")
    p.send("q")
    p.wait_for("已退出")
    out = p.finish()
    assert "客服: /info" not in out and "客服: /help" not in out
    assert out.count("15:30前付款当天发") == 2  # shown at the start and again on /info


def test_text_play_choice_mode():
    p = _Player("chatty-office-lady", "--choices", "--seed", "1")
    p.wait_for("可选回复: [1]")
    p.send("1")
    p.wait_for("你选择了:")
    p.send("/quit")
    out = p.finish()
    assert p.proc.returncode == 0
    assert ("✓ 最佳" in out) or ("✗ 不妥" in out)


def test_new_persona_writes_a_file_that_validates_and_passes(tmp_path, capsys):
    import shutil
    root = tmp_path / "content"
    shutil.copytree(ROOT / "scenarios", root)
    assert main(["--content", str(root), "new-persona", "--archetype", "haggler", "--shop", "huayun"]) == 0
    made = root / "personas" / "haggler-huayun-1.yaml"
    assert made.exists() and (root / "personas" / "haggler-huayun-1.test.yaml").exists()
    assert "# 新买家角色" in made.read_text(encoding="utf-8")
    assert main(["--content", str(root), "validate", str(made)]) == 0
    assert main(["--content", str(root), "test-scenarios", str(root / "personas" / "haggler-huayun-1.test.yaml")]) == 0
    capsys.readouterr()
    assert main(["--content", str(root), "new-persona", "--archetype", "hagler", "--shop", "huayun"]) == 2
    assert "did you mean 'haggler'" in capsys.readouterr().err
    assert main(["--content", str(root), "new-persona", "--archetype", "haggler", "--shop", "huayun",
                 "--id", "haggler-huayun-1"]) == 2



def test_text_play_without_arguments_asks_the_name_and_goes_on_along_the_lesson_path(library):
    first = min(library.lessons.values(), key=lambda l: (l.order, l.id))
    persona = library.personas[first.steps[0].personas[0]]
    p = _Player()
    p.send("小周")  # at the name prompt
    p.wait_for(f"回车 = 继续课程: {first.title} 第1关 · {persona.title}")
    p.send("")  # Enter: the next step of the path, as 继续课程 in the window
    p.wait_for(f"== {persona.title} ==")
    p.send("q")
    p.wait_for("已退出")
    out = p.finish()
    assert p.proc.returncode == 0 and "▶1" in out


def test_the_lesson_path_in_the_terminal_marks_passed_steps_and_opens_the_next(library, monkeypatch, capsys):
    from game.textplay import _choose
    first = min(library.lessons.values(), key=lambda l: (l.order, l.id))
    s1, s2 = first.steps[0], first.steps[1]
    best = {p: 100.0 for p in s1.personas}
    monkeypatch.setattr("builtins.input", lambda prompt="": "")
    assert _choose(library, best) == s2.personas[0]
    out = capsys.readouterr().out
    assert f"{first.title}  ✓1 ▶2" in out and "最佳 100" in out


def test_text_play_info_shows_the_order_of_an_after_sales_buyer():
    p = _Player("late-parcel-dress", "--seed", "2")
    p.wait_for("陈女士:")
    p.send("/info")
    p.wait_for("物流 11-23 06:10")
    p.send("q")
    p.wait_for("已退出")
    out = p.finish()
    assert out.count("订单: 2306158809176 | 运输中") == 2  # at the start and on /info
    assert "客户: 陈女士 | 新顾客" in out
