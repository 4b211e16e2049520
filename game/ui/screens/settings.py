"""Settings: font size, sound, practice or exam, beginner choices, window size."""
from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UIButton

from ..app import Screen
from ..settings import WINDOW_SIZES
from ..theme import FONT_SCALES
from ..widgets import text as tx


class SettingsScreen(Screen):
    def build(self) -> None:
        w, _ = self.app.size
        x = w // 2 - 100
        self.rows = {}
        y = 120
        for key in ("font", "sound", "mode", "choices", "window"):
            self.rows[key] = UIButton(pygame.Rect(x, y, 320, 44), self._label(key), self.m)
            y += 60
        self.sample_y = y - 8  # the font preview sits between the rows and 完成
        self.back = UIButton(pygame.Rect(x, y + 30, 320, 44), "完成", self.m, object_id="#primary")

    def _label(self, key: str) -> str:
        s = self.app.settings
        return {
            "font": f"字号: {s.font}",
            "sound": f"提示音: {'开' if s.sound else '关'}",
            "mode": f"模式: {'练习(即时点评)' if s.mode == 'practice' else '考试(结束后评分)'}",
            "choices": f"新手选择题: {'开' if s.choices else '关'}",
            "window": f"窗口: {s.window[0]}×{s.window[1]}",
        }[key]

    def process_event(self, ev) -> bool:
        s = self.app.settings
        if ev.type == pygame_gui.UI_BUTTON_PRESSED:
            if ev.ui_element is self.back:
                from .start import StartScreen
                self.app.show(StartScreen(self.app))
                return True
            for key, b in self.rows.items():
                if ev.ui_element is not b:
                    continue
                if key == "font":
                    names = list(FONT_SCALES)
                    s.font = names[(names.index(s.font) + 1) % len(names)] if s.font in names else "中"
                    self.app.apply_settings()
                elif key == "sound":
                    s.sound = not s.sound
                    self.app.ding()
                elif key == "mode":
                    s.mode = "exam" if s.mode == "practice" else "practice"
                elif key == "choices":
                    s.choices = not s.choices
                elif key == "window":
                    i = WINDOW_SIZES.index(tuple(s.window)) if tuple(s.window) in WINDOW_SIZES else -1
                    s.window = WINDOW_SIZES[(i + 1) % len(WINDOW_SIZES)]
                    s.save()
                    self.app.resize(s.window)
                    return True
                s.save()
                b.set_text(self._label(key))
            return True
        if ev.type == pygame.KEYDOWN and ev.key == pygame.K_ESCAPE:
            from .start import StartScreen
            self.app.show(StartScreen(self.app))
            return True
        return False

    def draw(self, surface: pygame.Surface) -> None:
        t = self.t
        w, _ = self.app.size
        title = t.title.render("设置", True, t.c("text"))
        surface.blit(title, (w // 2 - 100, 50))
        sample = tx.render(t.body, "示例: 亲,您好!很高兴为您服务 /:^_^", t.c("muted"), w - (w // 2 - 100) - 24)
        surface.blit(sample, (w // 2 - 100, self.sample_y))
