"""The classroom in the window, on loopback: a student joins, plays a round, the trainer sees it."""
import os
import time
from pathlib import Path

import pygame
import pygame_gui
import pytest

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def app(tmp_path):
    from game.ui.app import App
    a = App(ROOT / "scenarios", data_dir=str(tmp_path / "data"), settings_path=tmp_path / "settings.json")
    a.wait_reader()  # the reader learns off the frame; tests start chats at once
    a.classroom_bind = "127.0.0.1"
    yield a
    student = getattr(a, "classroom_student", None)
    if student is not None:
        student.client.close()
    if getattr(a, "classroom_host", None) is not None:
        a.classroom_host.close()
    if a.store is not None:
        a.store.close()
    pygame.quit()


def until(app, cond, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        app.frame(0.02, [])
        time.sleep(0.02)


def press(app, button):
    app.frame(0.016, [pygame.event.Event(pygame_gui.UI_BUTTON_PRESSED, {"ui_element": button})])


def test_a_student_joins_plays_and_returns_to_the_room(app):
    from game.classroom.host import ClassroomHost
    from game.ui.screens.classroom import JoinScreen
    from game.ui.screens.report import ReportScreen
    from game.ui.screens.workbench import WorkbenchScreen
    host = ClassroomHost(app.library, host="127.0.0.1", port=0)
    try:
        app.show(JoinScreen(app))
        s = app.screen
        s.addr.set_text(f"127.0.0.1:{host.port}")
        s.name.set_text("小王")
        s.code.set_text(host.code)
        press(app, s.join_btn)
        until(app, lambda: any(st["name"] == "小王" for st in host.students()))
        host.start_round(["chatty-office-lady"])
        until(app, lambda: isinstance(app.screen, WorkbenchScreen))
        conv = app.screen.session.conversation
        until(app, lambda: conv.transcript)
        app.frame(0.016, [pygame.event.Event(pygame.TEXTINPUT, {"text": "亲,您好!很高兴为您服务"})])
        app.frame(0.016, [pygame.event.Event(pygame.KEYDOWN, {"key": pygame.K_RETURN, "mod": 0, "unicode": "",
                                                              "scancode": 0})])
        until(app, lambda: (host.leaderboard() or [{}])[0].get("messages", 0) >= 1)  # agent lines
        assert host.leaderboard()[0]["name"] == "小王"
        host.end_round()
        until(app, lambda: isinstance(app.screen, ReportScreen))
        press(app, app.screen.next_btn)
        assert isinstance(app.screen, JoinScreen)
        texts = [m["text"] for c in host.transcript("小王") for m in c["messages"]]
        assert "亲,您好!很高兴为您服务" in texts
    finally:
        host.close()


def test_the_trainer_room_shows_code_students_and_board(app):
    from game.classroom.client import ClassroomClient
    from game.ui.screens.classroom import HostScreen
    app.show(HostScreen(app))
    host = app.classroom_host
    assert len(host.code) == 6
    client = ClassroomClient(f"127.0.0.1:{host.port}", "小李", host.code)
    try:
        until(app, lambda: any(st["name"] == "小李" for st in host.students()))
        app.frame(0.016, [])
        assert any(name == "小李" for _, name in app.screen.rows)
        # Pick a persona and start from the window's own controls.
        sel = app.screen.pick
        item = next(i for i in sel.item_list if i["object_id"] == "P:chatty-office-lady")
        item["selected"] = True
        press(app, app.screen.start_btn)
        assert host.current_round is not None
        press(app, app.screen.end_btn)
        app.frame(0.016, [])
        # the trainer removes a student from the window: click her row, then the button
        row = next(r for r, name in app.screen.rows if name == "小李")
        app.frame(0.016, [pygame.event.Event(pygame.MOUSEBUTTONDOWN, {"button": 1, "pos": row.center})])
        press(app, app.screen.kick_btn)
        until(app, lambda: not any(st["name"] == "小李" for st in host.students()))
        assert "已移出 小李" in app.screen.notice
    finally:
        client.close()


def test_an_exam_round_hands_in_without_a_score_and_shows_the_hosts_after(app):
    from game.classroom.host import ClassroomHost
    from game.ui.screens.classroom import JoinScreen
    from game.ui.screens.workbench import WorkbenchScreen
    host = ClassroomHost(app.library, host="127.0.0.1", port=0)
    try:
        app.show(JoinScreen(app))
        s = app.screen
        s.addr.set_text(f"127.0.0.1:{host.port}")
        s.name.set_text("小考")
        s.code.set_text(host.code)
        press(app, s.join_btn)
        until(app, lambda: any(st["name"] == "小考" for st in host.students()))
        host.start_round(["chatty-office-lady"], mode="exam")
        until(app, lambda: isinstance(app.screen, WorkbenchScreen))
        conv = app.screen.session.conversation
        until(app, lambda: conv.transcript)
        app.frame(0.016, [pygame.event.Event(pygame.TEXTINPUT, {"text": "亲,您好!很高兴为您服务"})])
        app.frame(0.016, [pygame.event.Event(pygame.KEYDOWN, {"key": pygame.K_RETURN, "mod": 0, "unicode": "",
                                                              "scancode": 0})])
        until(app, lambda: (host.leaderboard() or [{}])[0].get("messages", 0) >= 1)
        host.end_round()
        until(app, lambda: isinstance(app.screen, JoinScreen))  # no report screen with figures in an exam
        assert "已交卷" in app.screen.status or "本轮已结束" in app.screen.status
        student = app.classroom_student
        until(app, lambda: bool(student.results))
        row = host.leaderboard()[0]
        assert student.results[0]["total"] == row["score"] is not None
        app.frame(0.016, [])  # the host's figures are drawn under the podium
        assert "本轮已结束" in app.screen.status and app.screen.name.get_text() == "小考"
    finally:
        host.close()
