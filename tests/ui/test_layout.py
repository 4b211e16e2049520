"""Every screen at the smallest and a large window size: nothing drawn outside the window, no text
cut off, no text drawn over other text, and no widget hiding text or another widget."""
import os
from pathlib import Path

import pygame
import pytest

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

from game.engine.clock import ManualClock  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
SIZES = [(1024, 640), (1280, 800), (1920, 1080)]


class Recording(pygame.Surface):
    """The window's surface, noting where each text label lands and how much of it shows."""

    def __init__(self, size, labels):
        super().__init__(size)
        self.labels = labels
        self.log: list[tuple[str, pygame.Rect, pygame.Rect]] = []  # (text, where it should go, what shows)

    def blit(self, source, dest, area=None, special_flags=0):
        shown = super().blit(source, dest, area, special_flags)
        text = self.labels.get(id(source))
        if text is not None and text[1] is source and text[0].strip():
            pos = dest.topleft if isinstance(dest, pygame.Rect) else dest
            size = area.size if area is not None else source.get_size()
            self.log.append((text[0], pygame.Rect(pos, size), shown))
        return shown


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def app(request, tmp_path, monkeypatch):
    from game.ui.app import App
    from game.ui.widgets import text as tx
    labels: dict[int, tuple[str, pygame.Surface]] = {}  # every text image made, kept alive while checked
    real_render = tx.render

    class RecordingFont(pygame.font.Font):
        def render(self, s, *a, **kw):
            img = super().render(s, *a, **kw)
            labels[id(img)] = (str(s), img)
            return img

    def render(font, s, colour, width):
        img = real_render(font, s, colour, width)
        labels[id(img)] = (s, img)
        return img
    monkeypatch.setattr(pygame.font, "Font", RecordingFont)
    monkeypatch.setattr(tx, "render", render)
    a = App(ROOT / "scenarios", data_dir=str(tmp_path / "data"), clock=ManualClock(),
            settings_path=tmp_path / "settings.json", size=request.param)
    a.wait_reader()
    a.labels = labels
    yield a
    if a.store is not None:
        a.store.close()
    pygame.quit()


def check_screen(app, name: str) -> None:
    """Draw the screen as the window does and check what a user would see."""
    app.frame(0.016, [])
    rec = Recording(app.size, app.labels)
    rec.fill(app.theme.c("bg"))
    app.screen.draw(rec)
    win = pygame.Rect((0, 0), app.size)
    assert rec.log, f"{name}: no text was seen being drawn"
    problems = []
    for text, want, shown in rec.log:
        if not win.contains(want):
            problems.append(f"{text!r} runs off the window at {want}")
        elif shown.size != want.size:
            problems.append(f"{text!r} is cut off: {shown.size} of {want.size}")
    labels = [(t, s) for t, _w, s in rec.log if s.width and s.height]
    for i, (t1, r1) in enumerate(labels):
        for t2, r2 in labels[i + 1:]:
            o = r1.clip(r2)
            if o.width > 2 and o.height > 2:
                problems.append(f"{t1!r} and {t2!r} overlap at {o}")
    root = app.manager.get_root_container()
    # widgets the user sees; a composite widget's own inner container is part of it
    widgets = [e for e in root.elements if e.visible and getattr(e, "parent_element", None) is None
               and not str(e.object_ids[-1] or "").endswith("_container")]
    for e in widgets:
        if not win.contains(e.rect):
            problems.append(f"widget {e.object_ids} at {e.rect} runs off the window")
        for t, r in labels:
            o = r.clip(e.rect)
            if o.width > 2 and o.height > 2:
                problems.append(f"{t!r} is under widget {e.object_ids[-1]} at {o}")
    for i, e1 in enumerate(widgets):
        for e2 in widgets[i + 1:]:
            o = e1.rect.clip(e2.rect)
            if o.width > 1 and o.height > 1:
                problems.append(f"widgets {e1.object_ids[-1]} and {e2.object_ids[-1]} overlap at {o}")
    for e in widgets:  # a button's own label must fit it
        label = getattr(e, "text", None)
        if label and hasattr(e, "set_text"):
            need = app.theme.font(16).size(label)[0] + 8
            if need > e.rect.width:
                problems.append(f"button text {label!r} needs {need} px, has {e.rect.width}")
    assert not problems, f"{name} at {app.size}:\n  " + "\n  ".join(problems)


def run(app, seconds, step=0.5):
    for _ in range(int(seconds / step)):
        app.clock.advance(step)
        app.frame(step, [])


def test_menus_fit(app):
    from game.ui.screens.picker import PickerScreen
    from game.ui.screens.progress import ProgressScreen
    from game.ui.screens.settings import SettingsScreen
    from game.ui.screens.start import StartScreen
    for screen in (StartScreen, PickerScreen, ProgressScreen, SettingsScreen):
        app.show(screen(app))
        check_screen(app, screen.__name__)


def test_workbench_and_report_fit(app):
    from game.ui.screens.workbench import start_personas
    lib = app.library
    start_personas(app, [lib.personas["damaged-dress"], lib.personas["chatty-office-lady"],
                         lib.personas["haggler-nurse-shoes"]], gap=2)
    run(app, 6)
    app.frame(0.016, [pygame.event.Event(pygame.TEXTINPUT, {"text": "非常抱歉给您添麻烦了,麻烦拍张照片给我看看 /:^_^"})])
    app.frame(0.016, [pygame.event.Event(pygame.KEYDOWN, {"key": pygame.K_RETURN, "mod": 0, "unicode": "",
                                                          "scancode": 0})])
    app.screen.finish_sending()
    run(app, 8)
    check_screen(app, "workbench")
    for i in range(3):
        app.screen.card.select(i)
        check_screen(app, f"workbench tab {i}")
    app.screen._finish()
    check_screen(app, "report")


def test_choices_fit(app):
    from game.ui.screens.workbench import start_personas
    app.settings.choices = True
    start_personas(app, [app.library.personas["chatty-office-lady"]])
    run(app, 4)
    check_screen(app, "workbench with choices")


def test_classroom_screens_fit(app):
    from game.ui.screens.classroom import HostScreen, JoinScreen
    app.show(JoinScreen(app))
    check_screen(app, "JoinScreen")
    app.show(HostScreen(app))
    try:
        check_screen(app, "HostScreen")
    finally:
        app.classroom_host.close()


def test_role_play_and_its_report_fit(app):
    from game.ui.screens.classroom import RolePlayScreen
    from tests.ui.helpers import FAULT, Student, line, over, seat_for
    for role in ("agent", "buyer"):
        seat = seat_for(role, [])
        app.show(RolePlayScreen(app, Student(seat)))
        line(seat, 0, "buyer", "能便宜点吗 /:^_^", 2.0)
        line(seat, 1, "agent", "不行", 9.0, {"score": 60, "faults": [FAULT], "strengths": [], "rewrite": "亲,送您鞋垫"})
        check_screen(app, f"RolePlayScreen ({role})")
        over(seat)
        app.frame(0.016, [])
        check_screen(app, f"role-play report ({role})")


def test_podium_fits(app, monkeypatch):
    from game.ui.screens.classroom import HostScreen, PodiumScreen
    from tests.ui.helpers import PODIUM
    app.show(HostScreen(app))
    try:
        monkeypatch.setattr(app.classroom_host, "podium", lambda: PODIUM)
        check_screen(app, "HostScreen with its podium")
        app.show(PodiumScreen(app, app.screen))
        check_screen(app, "PodiumScreen")
    finally:
        app.classroom_host.close()


def test_the_check_sees_text_cut_off_and_overlapping(app):
    from game.ui.app import Screen

    class Broken(Screen):
        def draw(self, surface):
            t = self.t
            w, h = self.app.size
            for i in range(3):
                surface.blit(t.text(f"第{i}行"), (20, 20 + 30 * i))
            surface.blit(t.text("超出窗口的一行字"), (w - 30, h - 10))
            surface.blit(t.text("压在上面"), (24, 24))
    app.show(Broken(app))
    with pytest.raises(AssertionError) as err:
        check_screen(app, "broken")
    assert "runs off the window" in str(err.value) and "overlap" in str(err.value)
