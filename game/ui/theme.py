"""Colours, sizes and fonts from assets/theme.json (the one theme file, shared with pygame_gui)."""
from __future__ import annotations

import importlib.resources
import json
from pathlib import Path

import pygame

ASSETS = Path(__file__).resolve().parent.parent.parent / "assets"
THEME_FILE = ASSETS / "theme.json"
_FONT_DIR = importlib.resources.files("pygame_gui") / "data"
# Noto Sans SC ships in the pinned pygame_gui wheel (OFL): every Chinese character a buyer types has a glyph.
FONT_REGULAR = str(_FONT_DIR / "NotoSansSC-Regular.otf")
FONT_BOLD = str(_FONT_DIR / "NotoSansSC-Bold.otf")

FONT_SCALES = {"小": 0.88, "中": 1.0, "大": 1.18}


class Theme:
    def __init__(self, font_scale: float = 1.0, path: Path = THEME_FILE):
        data = json.loads(path.read_text(encoding="utf-8"))["kefusim"]
        self.colour = {k: pygame.Color(v) for k, v in data["colours"].items()}
        misc = data["misc"]
        self.scale = font_scale
        self.font_size = round(int(misc["font_size"]) * font_scale)
        self.small_size = round(int(misc["small_font_size"]) * font_scale)
        self.title_size = round(int(misc["title_font_size"]) * font_scale)
        self.spacing = int(misc["spacing"])
        self.radius = int(misc["radius"])
        self._fonts: dict[tuple[int, bool], pygame.font.Font] = {}
        self._texts: dict[tuple, pygame.Surface] = {}

    def font(self, size: int | None = None, bold: bool = False) -> pygame.font.Font:
        key = (size or self.font_size, bold)
        if key not in self._fonts:
            self._fonts[key] = pygame.font.Font(FONT_BOLD if bold else FONT_REGULAR, key[0])
        return self._fonts[key]

    @property
    def small(self) -> pygame.font.Font:
        return self.font(self.small_size)

    @property
    def body(self) -> pygame.font.Font:
        return self.font(self.font_size)

    @property
    def title(self) -> pygame.font.Font:
        return self.font(self.title_size, bold=True)

    def text(self, s: str, size: int | None = None, colour: str = "text", bold: bool = False) -> pygame.Surface:
        """A one-line label, rendered once and reused (labels are drawn every frame)."""
        key = (s, size, colour, bold)
        img = self._texts.get(key)
        if img is None:
            if len(self._texts) > 2000:
                self._texts.clear()
            img = self._texts[key] = self.font(size, bold).render(s, True, self.colour[colour])
        return img

    def c(self, name: str) -> pygame.Color:
        return self.colour[name]

    def hex(self, name: str) -> str:
        """A theme colour for pygame_gui's HTML text boxes."""
        c = self.colour[name]
        return f"#{c.r:02X}{c.g:02X}{c.b:02X}"
