"""The game window driven headless (dummy video driver), as a trainee would drive it."""
import os
from pathlib import Path

import pygame
import pytest

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

from game.engine.clock import ManualClock  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def app(tmp_path):
    from game.ui.app import App
    a = App(ROOT / "scenarios", data_dir=str(tmp_path / "data"), clock=ManualClock(),
            settings_path=tmp_path / "settings.json")
    a.wait_reader()  # the reader learns off the frame; tests start chats at once
    yield a
    if a.store is not None:
        a.store.close()
    pygame.quit()


def key(k, mod=0):
    return pygame.event.Event(pygame.KEYDOWN, {"key": k, "mod": mod, "unicode": "", "scancode": 0})


def text(s):
    return pygame.event.Event(pygame.TEXTINPUT, {"text": s})


def run(app, seconds, step=0.5):
    for _ in range(int(seconds / step)):
        app.clock.advance(step)
        app.frame(step, [])


def test_play_a_chat_to_the_report(app):
    from game.ui.screens.report import ReportScreen
    from game.ui.screens.workbench import WorkbenchScreen, start_personas
    start_personas(app, [app.library.personas["haggler-nurse-shoes"]])
    assert isinstance(app.screen, WorkbenchScreen)
    run(app, 2)
    conv = app.screen.session.conversation
    assert conv.transcript and conv.transcript[0].who == "buyer"
    for ch in "亲,您好!":
        app.frame(0.016, [text(ch)])
    app.frame(0.016, [text("很高兴为您服务")])
    assert app.screen.reply.text == "亲,您好!很高兴为您服务"
    app.frame(0.016, [key(pygame.K_RETURN, pygame.KMOD_SHIFT)])
    app.frame(0.016, [key(pygame.K_BACKSPACE)])
    app.frame(0.016, [key(pygame.K_RETURN)])
    assert app.screen.reply.text == ""
    app.screen.finish_sending()  # the reply is read off the frame, then sent
    assert conv.transcript[-1].who == "agent" and conv.transcript[-1].text == "亲,您好!很高兴为您服务"
    assert conv.state == "asking"
    run(app, 10)
    assert conv.transcript[-1].who == "buyer"  # the buyer answered once the clock moved
    app.frame(0.016, [text("爱买不买")])
    app.frame(0.016, [key(pygame.K_RETURN)])
    app.screen.finish_sending()
    run(app, 15)
    assert conv.outcome == "bad_review"
    run(app, 3)
    assert isinstance(app.screen, ReportScreen)
    rep = app.screen.entry.rep
    assert rep["total"] is not None and rep["total"] <= 50 and rep["improvements"]
    # The chat, its feedback and its report are in the store, and progress reads them back.
    (stored,) = app.store.sessions(profile=app.settings.profile)
    assert stored.status == "finished" and stored.outcome == "bad_review" and stored.total == rep["total"]
    texts = [m.text for m in app.store.messages(stored.id)]
    assert "亲,您好!很高兴为您服务" in texts and "爱买不买" in texts
    from game.ui.screens.picker import best_totals
    assert best_totals(app)["haggler-nurse-shoes"] == rep["total"]
    from game.ui.screens.progress import ProgressScreen
    app.show(ProgressScreen(app))
    app.frame(0.016, [])
    assert app.screen.prog.total.count == 1


def test_leaving_mid_chat_stores_it_as_interrupted(app):
    from game.ui.screens.start import StartScreen
    from game.ui.screens.workbench import start_personas
    start_personas(app, [app.library.personas["chatty-office-lady"]])
    run(app, 2)
    app.frame(0.016, [text("亲,您好")])
    app.frame(0.016, [key(pygame.K_RETURN)])
    app.show(StartScreen(app))
    (stored,) = app.store.sessions(profile=app.settings.profile)
    assert stored.status == "interrupted"
    assert [m.text for m in app.store.messages(stored.id) if m.who == "agent"] == ["亲,您好"]


def test_ime_composition_is_shown_but_not_sent(app):
    from game.ui.screens.workbench import start_personas
    start_personas(app, [app.library.personas["chatty-office-lady"]])
    run(app, 2)
    app.frame(0.016, [pygame.event.Event(pygame.TEXTEDITING, {"text": "nin hao", "start": 7, "length": 0})])
    box = app.screen.reply
    assert box.composition == "nin hao" and box.text == ""
    app.frame(0.016, [key(pygame.K_RETURN)])  # Enter while composing belongs to the input method
    assert not [m for m in app.screen.session.conversation.transcript if m.who == "agent"]
    app.frame(0.016, [text("您好")])
    assert box.composition == "" and box.text == "您好"


def test_drafts_survive_switching_buyers(app):
    from game.ui.screens.workbench import start_personas
    lib = app.library
    start_personas(app, [lib.personas["haggler-nurse-shoes"], lib.personas["chatty-office-lady"]])
    run(app, 25)
    s = app.screen.session
    assert len(s.order) == 2
    app.frame(0.016, [text("亲,稍等")])
    app.frame(0.016, [key(pygame.K_TAB)])
    assert s.active == s.order[1] and app.screen.reply.text == ""
    app.frame(0.016, [text("哈哈")])
    app.frame(0.016, [key(pygame.K_1, pygame.KMOD_CTRL)])
    assert s.active == s.order[0] and app.screen.reply.text == "亲,稍等"


def test_closing_mid_chat_asks_first(app):
    from game.ui.screens.workbench import start_personas
    start_personas(app, [app.library.personas["chatty-office-lady"]])
    run(app, 2)
    app.frame(0.016, [text("您好")])
    app.frame(0.016, [pygame.event.Event(pygame.QUIT)])
    assert app.running and app.dialog is not None
    assert app.dialog.confirmation_text.allow_split_dashes is False  # no dash cutting a Chinese word


def test_choice_mode_buttons_send_the_choice(app):
    from game.ui.screens.workbench import start_personas
    app.settings.choices = True
    start_personas(app, [app.library.personas["chatty-office-lady"]])
    run(app, 2)
    buttons = app.screen.choice_buttons
    assert len(buttons) == 3
    app.frame(0.016, [key(pygame.K_1)])
    conv = app.screen.session.conversation
    agent = [m for m in conv.transcript if m.who == "agent"]
    assert agent and agent[0].text in {c.text for c in conv.persona.states["opening"].choices}


def test_every_screen_renders_with_real_glyphs(app, tmp_path, monkeypatch):
    from game.ui.screens.picker import PickerScreen
    from game.ui.screens.progress import ProgressScreen
    from game.ui.screens.settings import SettingsScreen
    from game.ui.screens.start import StartScreen
    from game.ui.screens.workbench import start_personas
    from game.ui.theme import Theme
    from game.ui.widgets import text as tx
    shown: set[str] = set()
    real_render, real_text = tx.render, Theme.text

    def render(font, s, colour, width):
        shown.add(s)
        return real_render(font, s, colour, width)

    def label(self, s, *a, **kw):
        shown.add(s)
        return real_text(self, s, *a, **kw)
    monkeypatch.setattr(tx, "render", render)
    monkeypatch.setattr(Theme, "text", label)
    win = pygame.Rect((0, 0), app.size)
    lib = app.library

    def check(name):
        app.frame(0.016, [])
        pygame.image.save(app.surface, str(tmp_path / f"{name}.png"))
        for el in app.manager.get_root_container().elements:  # every widget stays inside the window
            assert win.contains(el.rect), (name, el)

    for screen in (StartScreen, PickerScreen, ProgressScreen, SettingsScreen):
        app.show(screen(app))
        check(screen.__name__)
    start_personas(app, [lib.personas["damaged-dress"], lib.personas["chatty-office-lady"]], gap=2)
    run(app, 4)
    app.frame(0.016, [text("非常抱歉给您添麻烦了 /:^_^")])
    app.frame(0.016, [key(pygame.K_RETURN)])
    run(app, 8)
    check("workbench")
    app.screen._finish()
    check("report")
    font = app.theme.body
    tofu = pygame.image.tobytes(font.render("\ue000", True, (0, 0, 0)), "RGBA")
    chars = {ch for s in shown for ch in s if ord(ch) > 0x2E7F}
    assert len(chars) > 100
    missing = [ch for ch in chars if pygame.image.tobytes(font.render(ch, True, (0, 0, 0)), "RGBA") == tofu]
    assert not missing, "".join(missing)


def test_window_resizes(app):
    from game.ui.screens.workbench import start_personas
    start_personas(app, [app.library.personas["chatty-office-lady"]])
    run(app, 2)
    app.frame(0.016, [pygame.event.Event(pygame.VIDEORESIZE, {"w": 1024, "h": 700, "size": (1024, 700)})])
    assert app.size == (1024, 700)
    assert app.screen.reply.rect.right <= 1024 - 310
    app.frame(0.016, [])


def test_a_chat_started_before_the_reader_is_ready_waits_with_a_notice(tmp_path, monkeypatch):
    from game.ui import app as app_mod
    from game.ui.screens.workbench import WorkbenchScreen, start_personas

    gate = __import__("threading").Event()
    real = app_mod.Reader

    def slow_reader(*a, **kw):
        gate.wait(10)
        return real(*a, **kw)

    monkeypatch.setattr(app_mod, "Reader", slow_reader)
    a = app_mod.App(ROOT / "scenarios", data_dir=str(tmp_path / "data"), clock=ManualClock(),
                    settings_path=tmp_path / "settings.json")
    try:
        assert a.reader is None
        start_personas(a, [a.library.personas["haggler-nurse-shoes"]])
        a.frame(0.016, [])  # the window still draws, with the notice, and no chat yet
        assert not isinstance(a.screen, WorkbenchScreen)
        gate.set()
        a.wait_reader()
        a.frame(0.016, [])
        assert isinstance(a.screen, WorkbenchScreen) and a.reader is not None
    finally:
        gate.set()
        if a.store is not None:
            a.store.close()
        pygame.quit()


def test_side_panel_tabs_show_product_order_and_customer(app, monkeypatch):
    from game.ui.theme import Theme
    from game.ui.widgets import text as tx
    from game.ui.screens.workbench import start_personas
    shown: list[str] = []
    real_render, real_text = tx.render, Theme.text
    monkeypatch.setattr(tx, "render", lambda font, s, c, w: (shown.append(s), real_render(font, s, c, w))[1])
    monkeypatch.setattr(Theme, "text", lambda self, s, *a, **kw: (shown.append(s), real_text(self, s, *a, **kw))[1])
    app.resize((1024, 640))
    start_personas(app, [app.library.personas["late-parcel-dress"]])
    run(app, 2)
    assert "货号: dress-138" in shown  # 商品 is the first tab

    def click_tab(label):
        card = app.screen.card
        pos = card.tab_rects[card.TABS.index(label)].center  # where the tab is drawn
        shown.clear()
        app.frame(0.016, [pygame.event.Event(pygame.MOUSEBUTTONDOWN, {"pos": pos, "button": 1})])
        app.frame(0.016, [])

    click_tab("订单")
    assert "订单 2306158809176" in shown and "状态: 运输中(4天未更新)" in shown and "发往郑州转运中心" in shown
    click_tab("客户")
    assert "陈女士" in shown and "新顾客" in shown and "类型: 售后(已下单)" in shown
    click_tab("商品")
    assert "货号: dress-138" in shown
    # the product sheet is taller than the panel at this size: the wheel scrolls it
    panel = app.surface.subsurface(pygame.Rect(1024 - 300, 300, 290, 330)).copy()
    monkeypatch.setattr(pygame.mouse, "get_pos", lambda: (1024 - 150, 400))
    app.frame(0.016, [pygame.event.Event(pygame.MOUSEWHEEL, {"x": 0, "y": -3, "flipped": False})])
    after = app.surface.subsurface(pygame.Rect(1024 - 300, 300, 290, 330)).copy()
    assert pygame.image.tobytes(panel, "RGB") != pygame.image.tobytes(after, "RGB")


def test_idle_frames_keep_the_picture_and_changes_are_drawn(app):
    from game.ui.screens.workbench import start_personas
    start_personas(app, [app.library.personas["chatty-office-lady"]])
    run(app, 3)
    app.frame(0.016, [])
    assert app.frame(0.016, []) is False  # nothing changed: the last picture stands
    app.clock.advance(0.3)  # the countdowns move
    assert app.frame(0.016, []) is True
    assert app.frame(0.016, [text("亲")]) is True  # typing is drawn at once
    before = pygame.image.tobytes(app.surface, "RGB")
    app.frame(0.016, [])
    app.clock.advance(30)  # the buyer nudges: a new line
    drew = [app.frame(0.5, []) for _ in range(3)]
    assert any(drew) and pygame.image.tobytes(app.surface, "RGB") != before


def test_play_persona_opens_its_chat_with_the_given_seed_and_no_records(app):
    from game.ui.screens.workbench import WorkbenchScreen
    assert app.open_at("exchange-jeans-size", seed=42, profile="小王", record=False)
    assert isinstance(app.screen, WorkbenchScreen)
    assert app.screen.session.conversation.persona.id == "exchange-jeans-size"
    assert app.screen.session.seed == 42
    assert app.store is None and app.settings.profile == "小王"


def test_play_unknown_persona_says_so(app, capsys):
    assert not app.open_at("no-such-buyer")
    assert "no-such-buyer" in capsys.readouterr().err


def test_play_with_choices_shows_the_beginner_choices(app, monkeypatch):
    # `main.py play PERSONA --choices` in the window: numbered choices beside the reply box
    import game.ui.app as app_module
    monkeypatch.setattr(app_module, "App", lambda *a, **k: app)
    monkeypatch.setattr(app, "run", lambda: 0)
    assert app_module.run_game(Path("scenarios"), persona="shipping-cutoff-shoes", seed=1, record=False,
                               choices=True) == 0
    assert app.settings.choices
    run(app, 3)
    app.frame(0.016, [])
    assert app.screen.choice_buttons
