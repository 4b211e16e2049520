"""What a trainee sees after and around a chat: the report with its result card and celebration, the
feedback card that opens on a click, the lesson map, the role-play chat and its report, the podium."""
import os
import re
from pathlib import Path

import pygame
import pygame_gui
import pytest
import yaml

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

from game.engine.clock import ManualClock  # noqa: E402
from tests.ui.helpers import FAULT, PODIUM, Student, line, over, seat_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def app(tmp_path, monkeypatch):
    """A window whose every rendered string is noted in `app.shown` (cleared by `look`)."""
    from game.ui.app import App
    from game.ui.theme import Theme
    from game.ui.widgets import text as tx
    shown: list[str] = []
    real_render, real_text = tx.render, Theme.text

    class NotingFont(pygame.font.Font):
        def render(self, s, *a, **kw):
            shown.append(str(s))
            return super().render(s, *a, **kw)

    monkeypatch.setattr(pygame.font, "Font", NotingFont)
    monkeypatch.setattr(tx, "render", lambda font, s, c, w: (shown.append(s), real_render(font, s, c, w))[1])
    monkeypatch.setattr(Theme, "text", lambda self, s, *a, **kw: (shown.append(s), real_text(self, s, *a, **kw))[1])
    a = App(ROOT / "scenarios", data_dir=str(tmp_path / "data"), clock=ManualClock(),
            settings_path=tmp_path / "settings.json")
    a.wait_reader()
    a.shown = shown
    yield a
    if getattr(a, "classroom_host", None) is not None:
        a.classroom_host.close()
    if a.store is not None:
        a.store.close()
    pygame.quit()


def look(app, events=()):
    """Draw one frame and return every string drawn in it (an event makes even an idle screen draw)."""
    app.shown.clear()
    app.frame(0.016, list(events) or [pygame.event.Event(pygame.USEREVENT)])
    return "\n".join(app.shown)


def run(app, seconds, step=0.25):
    for _ in range(int(seconds / step)):
        app.clock.advance(step)
        app.frame(step, [])


def say(app, text):
    app.frame(0.016, [pygame.event.Event(pygame.TEXTINPUT, {"text": text})])
    app.frame(0.016, [pygame.event.Event(pygame.KEYDOWN, {"key": pygame.K_RETURN, "mod": 0, "unicode": "",
                                                          "scancode": 0})])
    app.screen.finish_sending()


def play_script(app, persona, case):
    """Play a persona test case's script in the window, as typed by the trainee."""
    cases = yaml.safe_load((ROOT / "scenarios" / "personas" / f"{persona}.test.yaml").read_text(encoding="utf-8"))
    script = next(c for c in cases["cases"] if c["name"] == case)["script"]
    run(app, 3)
    for typed in script.strip().splitlines():
        wait, text = re.match(r"\+(\d+)s (.*)", typed.strip()).groups()
        run(app, float(wait))
        say(app, text)
        run(app, 4)


def test_a_passed_step_shows_the_result_first_with_stars_and_celebrates(app):
    from game.ui.screens.report import ReportScreen
    from game.ui.screens.workbench import start_lesson_step
    lesson = app.library.lessons["beginner"]
    step = next(i for i, s in enumerate(lesson.steps) if s.personas == ("shipping-cutoff-shoes",))
    start_lesson_step(app, lesson, step)
    play_script(app, "shipping-cutoff-shoes", "good-agent")
    for _ in range(40):  # the buyer's goodbye, then the report
        if isinstance(app.screen, ReportScreen):
            break
        run(app, 0.25)
    assert isinstance(app.screen, ReportScreen)
    report = app.screen
    seen = look(app)
    assert "成交" in seen and "通过本关 ★★★" in seen and "恭喜通过本关!" in seen
    total = report.entry.rep["total"]
    assert f"{total:.0f}" in seen.split("\n")
    # the radar names each dimension with its score; the timeline writes the seconds above the bars
    assert re.search(r"^礼貌 \d+$", seen, re.M) and re.search(r"^时效 \d+$", seen, re.M)
    waits = [f"{w:.0f}" for w, _ in report.entry.waits]
    assert set(waits) <= set(seen.split("\n"))
    run(app, 4)  # the celebration is short
    assert "恭喜通过本关!" not in look(app)
    # the lesson map gives the step its stars
    from game.ui.screens.progress import ProgressScreen
    app.show(ProgressScreen(app))
    seen = look(app)
    assert "新手入门" in seen and "★ 3/24" in seen
    assert seen.count("★") >= 3 + 1


def test_an_unfinished_chat_never_shows_as_passed(app):
    from game.ui.screens.workbench import start_lesson_step
    lesson = app.library.lessons["beginner"]
    start_lesson_step(app, lesson, 0)
    run(app, 3)
    say(app, "亲,您好!很高兴为您服务")
    run(app, 2)
    app.screen._finish()
    seen = look(app)
    assert "未完成" in seen and "未完成,不计入本关" in seen
    assert "通过本关" not in seen.replace("不计入本关", "") and "恭喜通过本关!" not in seen


def test_a_feedback_card_opens_on_a_click_and_closes_again(app):
    from game.ui.screens.workbench import start_personas
    start_personas(app, [app.library.personas["haggler-nurse-shoes"]])
    run(app, 3)
    app.shown.clear()
    say(app, "不知道,你自己看详情页,爱买不买")
    run(app, 3)

    def notes(lines):
        """The card's fault and strength lines (whole ones: a wrapped line's rows are drawn too)."""
        lines = {x for x in lines if x.startswith(("⚠", "✓"))}
        return {x for x in lines if not any(y != x and y.startswith(x) for y in lines)}
    shut = notes(app.shown)  # bubbles are drawn once and kept: everything drawn since the reply
    more = next(re.search(r"还有 (\d+) 条,点击展开", x) for x in app.shown if "点击展开" in x)
    assert any(x.startswith("⚠") for x in shut)
    chat = app.screen.chat
    (card, _), = chat.cards
    seen = look(app, [pygame.event.Event(pygame.MOUSEBUTTONDOWN, {"pos": card.center, "button": 1})])
    opened = notes(seen.split("\n"))
    assert "▲ 收起" in seen and shut < opened and len(opened) == len(shut) + int(more.group(1))
    (card, _), = chat.cards
    seen = look(app, [pygame.event.Event(pygame.MOUSEBUTTONDOWN, {"pos": card.center, "button": 1})])
    assert "点击展开" in seen and notes(seen.split("\n")) == shut


def test_role_play_is_a_chat_with_feedback_cards_and_ends_in_the_report(app):
    from game.ui.screens.classroom import RolePlayScreen
    from game.ui.screens.report import ReportScreen
    sent = []
    seat = seat_for("agent", sent)
    app.show(RolePlayScreen(app, Student(seat)))
    assert "等待对方发言…" in look(app)
    line(seat, 0, "buyer", "能便宜点吗 /:^_^", 2.0)
    line(seat, 1, "agent", "不行", 9.0, {"score": 60, "faults": [FAULT], "strengths": [],
                                         "rewrite": "亲,价格已经很实在了,给您送双鞋垫好吗"})
    seen = look(app)
    # the network's feedback ("faults") appears under the reply, as in the workbench
    assert "⚠ 生硬拒绝: 只说不行,没有给买家台阶" in seen and "→ 更好的说法: 亲,价格已经很实在了,给您送双鞋垫好吗" in seen
    app.frame(0.016, [pygame.event.Event(pygame.TEXTINPUT, {"text": "亲,给您送双鞋垫"})])
    app.frame(0.016, [pygame.event.Event(pygame_gui.UI_BUTTON_PRESSED, {"ui_element": app.screen.send_btn})])
    assert sent[-1][0] == "rp_say" and sent[-1][1]["text"] == "亲,给您送双鞋垫"
    over(seat, 64.0)
    app.frame(0.016, [])
    assert isinstance(app.screen, ReportScreen) and app.screen.roleplay
    seen = look(app)
    assert "角色扮演报告" in seen and "成交" in seen and "64" in seen.split("\n") and "禁忌 55" in seen
    assert "1. 生硬拒绝: 你说“不行” → 更好的说法“亲,给您送双鞋垫好吗”" in seen
    assert "再练一次" not in seen  # a role-play cannot be replayed alone
    press = pygame.event.Event(pygame_gui.UI_BUTTON_PRESSED, {"ui_element": app.screen.next_btn})
    app.frame(0.016, [press])
    from game.ui.screens.classroom import JoinScreen
    assert isinstance(app.screen, JoinScreen)


def test_the_podium_goes_full_window_with_medals_for_the_projector(app, monkeypatch):
    from game.ui.screens.classroom import HostScreen, PodiumScreen
    app.classroom_bind = "127.0.0.1"
    app.show(HostScreen(app))
    monkeypatch.setattr(app.classroom_host, "podium", lambda: PODIUM)
    seen = look(app)
    assert "点击领奖台(或按 P)全屏展示" in seen
    app.frame(0.016, [pygame.event.Event(pygame.KEYDOWN, {"key": pygame.K_p, "mod": 0, "unicode": "p",
                                                          "scancode": 0})])
    assert isinstance(app.screen, PodiumScreen)
    seen = look(app).split("\n")
    assert {"本轮领奖台", "小王", "92分", "小李", "85分", "小张", "77分", "1", "2", "3"} <= set(seen)
    app.frame(0.016, [pygame.event.Event(pygame.KEYDOWN, {"key": pygame.K_ESCAPE, "mod": 0, "unicode": "",
                                                          "scancode": 0})])
    assert isinstance(app.screen, HostScreen)
