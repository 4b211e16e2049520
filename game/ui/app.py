"""The game window: one loop, one pygame_gui manager, one screen at a time.

Screens follow process_event / update(dt) / draw(surface); draw never changes game state.
Time for the chats comes from an injected clock, so tests drive the window with a manual one.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np
import pygame
import pygame_gui

from game.language.reader import Reader

from .settings import Settings
from .theme import FONT_SCALES, THEME_FILE, Theme

log = logging.getLogger(__name__)


class Screen:
    def __init__(self, app: "App"):
        self.app = app

    @property
    def t(self) -> Theme:
        return self.app.theme

    @property
    def m(self) -> pygame_gui.UIManager:
        return self.app.manager

    def build(self) -> None:
        """Create the pygame_gui elements for the current window size."""

    def process_event(self, ev) -> bool:
        return False

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface: pygame.Surface) -> None:
        pass

    def view_key(self):
        """What the screen shows, as a value: while it stays the same (and no event came), the frame
        is not drawn again. None: draw every frame."""
        return None

    def draw_overlay(self, surface: pygame.Surface) -> None:
        """Drawn after the widgets (e.g. pictures on top of buttons)."""

    def wants_to_close(self) -> bool:
        """True when closing now would throw away something (asks first)."""
        return False

    def leave(self) -> None:
        """Called before another screen replaces this one."""


class App:
    def __init__(self, content: Path, data_dir: str | None = None, clock=None, size=None,
                 settings_path: Path | None = None):
        from game.content.loader import load_library

        self.content = Path(content)
        self.data_dir = data_dir
        if data_dir is not None:
            data_dir = str(data_dir)
        if settings_path is None:
            from game.store.paths import data_dir as store_dir
            settings_path = store_dir(data_dir) / "settings.json"
        self.settings = Settings.load(settings_path, self.content)
        pygame.init()
        pygame.display.set_caption("客服实训模拟器 KefuSim")
        self.size = tuple(size or self.settings.window)
        self.surface = pygame.display.set_mode(self.size, pygame.RESIZABLE)
        self.theme = Theme(FONT_SCALES.get(self.settings.font, 1.0))
        self.manager = pygame_gui.UIManager(self.size, str(THEME_FILE), starting_language="zh")
        # Fonts the HTML text boxes ask for (<b>); preloading avoids a load (and a warning) mid-frame.
        fonts = self.manager.get_theme().get_font_dictionary()
        self.manager.preload_fonts([{"name": "noto_sans_sc", "point_size": size, "style": style}
                                    for size in (14, 16, 17) for style in ("regular", "bold")
                                    if not fonts.check_font_preloaded(f"noto_sans_sc_{style}_aa_{size}")])
        self.library = load_library(self.content)
        # The reader learns its intents off the frame (a few seconds from the shipped model, longer
        # after an author edits the intents): the window keeps drawing meanwhile.
        self._reader = None
        self._reader_thread: threading.Thread | None = None
        self._after_reader = None
        self._load_reader()
        if clock is None:
            from game.engine.clock import SystemClock
            clock = SystemClock()
        self.clock = clock
        self.running = True
        self._seed: int | None = None
        self.dialog = None
        self._shown = None  # the view key of the picture on screen
        self.sound = _make_sound()
        self.store = _open_store(data_dir)
        from .screens.start import StartScreen
        self.screen: Screen = StartScreen(self)
        self.screen.build()

    # ------------------------------------------------------------ navigation
    def show(self, screen: Screen) -> None:
        self.screen.leave()
        self.manager.clear_and_reset()
        self.dialog = None
        self.screen = screen
        screen.build()

    def reload_content(self) -> None:
        """F5: read scenarios/ again so an author sees an edited persona at once."""
        from game.content.loader import load_library
        self.library = load_library(self.content)
        self._load_reader()

    # ------------------------------------------------------------ the reader, built off the frame
    def _load_reader(self) -> None:
        lib = self.library
        self._reader = None
        box: dict = {}

        def work() -> None:
            try:
                box["reader"] = Reader(lib.intents, lib.lexicon)
            except Exception:  # never leave the game without a reader: the phrase rules still read
                log.exception("the learned reader failed to load; reading with the phrase rules only")
                box["reader"] = Reader(lib.intents, lib.lexicon, learn=False)

        def done() -> None:
            self._reader = box.get("reader")

        thread = threading.Thread(target=lambda: (work(), done()), name="reader", daemon=True)
        self._reader_thread = thread
        thread.start()

    @property
    def reader(self):
        """The reader, or None while it is still learning (see ``when_reader``)."""
        return self._reader

    def wait_reader(self, timeout: float | None = None):
        if self._reader_thread is not None:
            self._reader_thread.join(timeout)
        return self._reader

    def when_reader(self, fn) -> None:
        """Run ``fn`` now if the reader is ready, else as soon as it is (a notice shows meanwhile)."""
        if self._reader is not None:
            fn()
        else:
            self._after_reader = fn

    def apply_settings(self) -> None:
        self.theme = Theme(FONT_SCALES.get(self.settings.font, 1.0))
        self.settings.save()

    def resize(self, size) -> None:
        self.size = (max(800, size[0]), max(600, size[1]))
        if pygame.display.get_surface().get_size() != self.size:
            self.surface = pygame.display.set_mode(self.size, pygame.RESIZABLE)
        self.manager.set_window_resolution(self.size)
        self.manager.clear_and_reset()
        self.dialog = None
        self.screen.build()

    def new_seed(self) -> int:
        if self._seed is not None:  # `play --seed N`: the first chat replays as given
            seed, self._seed = self._seed, None
            return seed
        return int(np.random.default_rng().integers(1_000_000))

    def open_at(self, persona: str | None, *, seed: int | None = None, profile: str | None = None,
                record: bool = True) -> bool:
        """Start options from the command line: a trainee name, no records, and a persona whose chat
        opens at once. False (with the reason on stderr) when the persona is unknown."""
        import sys

        self._seed = seed
        if profile:
            self.settings.profile = profile
        if not record and self.store is not None:
            self.store.close()
            self.store = None
        if persona is None:
            return True
        try:
            chosen = self.library.persona(persona)
        except LookupError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return False
        from .screens.workbench import start_personas
        start_personas(self, [chosen])
        return True

    def ding(self) -> None:
        if self.settings.sound and self.sound is not None:
            self.sound.play()

    # ------------------------------------------------------------ loop
    def ask_close(self) -> None:
        if self.screen.wants_to_close():
            self.dialog = pygame_gui.windows.UIConfirmationDialog(
                pygame.Rect(0, 0, 380, 200).move(self.size[0] // 2 - 190, self.size[1] // 2 - 100),
                "还有未结束的对话或未发送的文字,确定要退出吗?", self.manager, window_title="退出确认",
                action_short_name="退出", object_id="#quit_dialog")
            # Chinese has no spaces: a dash would cut a word in two ("确定要退-出吗")
            box = getattr(self.dialog, "confirmation_text", None)
            if box is not None and getattr(box, "allow_split_dashes", False):
                box.allow_split_dashes = False
                box.rebuild()
        else:
            self.running = False

    def handle(self, ev) -> None:
        if ev.type == pygame.QUIT:
            self.ask_close()
            return
        if ev.type == pygame.VIDEORESIZE:
            self.resize((ev.w, ev.h))
            return
        if ev.type == pygame_gui.UI_CONFIRMATION_DIALOG_CONFIRMED and ev.ui_element is self.dialog:
            self.running = False
            return
        if ev.type == pygame.KEYDOWN and ev.key == pygame.K_F5:
            self.reload_content()
            self.screen.build_after_reload() if hasattr(self.screen, "build_after_reload") else None
        consumed = self.manager.process_events(ev)
        if not consumed or ev.type in (pygame.TEXTINPUT, pygame.TEXTEDITING, pygame.KEYDOWN):
            self.screen.process_event(ev)

    def frame(self, dt: float, events=None) -> bool:
        """One frame; False when nothing changed and the last picture still stands (idle frames)."""
        got = pygame.event.get() if events is None else events
        for ev in got:
            self.handle(ev)
        if self._after_reader is not None and self._reader is not None:
            fn, self._after_reader = self._after_reader, None
            fn()
        self.screen.update(dt)
        self.manager.update(dt)
        key = self.screen.view_key()
        if key is not None and not self.manager.get_hovering_any_element() and self.dialog is None:
            key = (id(self.screen), key, self.size, self._after_reader is None)
            if not got and key == self._shown:
                return False
        self._shown = key
        self.surface.fill(self.theme.c("bg"))
        self.screen.draw(self.surface)
        self.manager.draw_ui(self.surface)
        self.screen.draw_overlay(self.surface)
        if self._after_reader is not None:
            self._draw_wait_notice()
        return True

    def _draw_wait_notice(self) -> None:
        font = self.theme.font(18)
        text = font.render("正在准备话术理解,请稍候…", True, self.theme.c("text"))
        box = text.get_rect(center=(self.size[0] // 2, self.size[1] // 2)).inflate(40, 28)
        pygame.draw.rect(self.surface, self.theme.c("panel"), box, border_radius=8)
        pygame.draw.rect(self.surface, self.theme.c("border"), box, 1, border_radius=8)
        self.surface.blit(text, text.get_rect(center=box.center))

    def run(self) -> int:
        fps = pygame.time.Clock()
        pygame.key.start_text_input()
        while self.running:
            dt = fps.tick(60) / 1000.0
            if self.frame(dt):
                pygame.display.flip()
        self.settings.save()
        if self.store is not None:
            self.store.close()
        pygame.quit()
        return 0


def _make_sound():
    """A short two-tone chime made with numpy (no sound file to ship)."""
    try:
        if not pygame.mixer.get_init():
            pygame.mixer.init(44100, -16, 1)
        rate, _, channels = pygame.mixer.get_init()
        t = np.linspace(0, 0.18, int(rate * 0.18), endpoint=False)
        wave = np.sin(2 * np.pi * 880 * t) * (t < 0.08) + np.sin(2 * np.pi * 1320 * t) * (t >= 0.08)
        wave *= np.exp(-t * 18) * 0.35
        data = (wave * 32767).astype(np.int16)
        if channels > 1:
            data = np.repeat(data[:, None], channels, axis=1)
        return pygame.sndarray.make_sound(np.ascontiguousarray(data))
    except (pygame.error, ValueError, TypeError):
        return None


def _open_store(data_dir):
    """The records store, or None: the game plays without records rather than not at all."""
    from game.store.commands import open_store
    return open_store(data_dir)


def run_game(content: Path, data_dir: str | None = None, *, persona: str | None = None, seed: int | None = None,
             profile: str | None = None, record: bool = True, choices: bool = False) -> int:
    """The window; with ``persona`` its chat starts at once (as `play PERSONA --text` does in the terminal).
    ``choices`` turns the beginner choices on, as the settings screen does."""
    if os.environ.get("SDL_VIDEODRIVER") == "dummy":
        print("SDL_VIDEODRIVER=dummy: no window can be shown; use `python main.py play --text`.")
    app = App(content, data_dir)
    if choices:
        app.settings.choices = True
    if not app.open_at(persona, seed=seed, profile=profile, record=record):
        return 2
    return app.run()
