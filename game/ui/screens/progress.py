"""Progress: the trainee's scores over attempts per dimension, and first, best and latest."""
from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UIButton

from ..app import Screen
from ..widgets import charts
from .report import DIMENSIONS


def attempts(app):
    """The current profile's progress (None without a store)."""
    if app.store is None:
        return None
    from game.store.live import profile_progress
    return profile_progress(app.store, app.settings.profile)


class ProgressScreen(Screen):
    def build(self) -> None:
        w, h = self.app.size
        self.back = UIButton(pygame.Rect(24, h - 58, 140, 42), "返回", self.m)
        self.prog = attempts(self.app)

    def process_event(self, ev) -> bool:
        if (ev.type == pygame_gui.UI_BUTTON_PRESSED and ev.ui_element is self.back) or \
                (ev.type == pygame.KEYDOWN and ev.key == pygame.K_ESCAPE):
            from .start import StartScreen
            self.app.show(StartScreen(self.app))
            return True
        return False

    def draw(self, surface: pygame.Surface) -> None:
        t = self.t
        w, h = self.app.size
        surface.blit(t.title.render(f"学习进度 · {self.app.settings.profile}", True, t.c("text")), (24, 20))
        prog = self.prog
        points = [p for p in (prog.series if prog else []) if p.total is not None]
        series = {"总分": [float(p.total) for p in points]}
        for key, label in DIMENSIONS:
            vals = [float(p.dims.get(key, 0) or 0) for p in points]
            if any(vals):
                series[label] = vals
        chart = pygame.Rect(64, 110, w - 110, h - 330)
        charts.lines(surface, t, chart, series)
        y = chart.bottom + 24
        if prog is None:
            surface.blit(t.body.render("记录不可用(无法打开数据文件)", True, t.c("bad")), (24, y))
            return
        tr = prog.total
        if tr.count:
            line = f"共 {tr.count} 次练习    第一次 {tr.first:.0f}    最好 {tr.best:.0f}    最近 {tr.latest:.0f}"
            surface.blit(t.body.render(line, True, t.c("text")), (24, y))
            y += 34
        if prog.sessions:
            surface.blit(t.body.render(f"询单转化率 {prog.conversion * 100:.0f}%  ({prog.successes}/{prog.sessions})",
                                       True, t.c("text")), (24, y))
            y += 34
        names = {key: label for key, label in DIMENSIONS}
        parts = [f"{names.get(k, k)} {d.first:.0f}→{d.latest:.0f}(最好 {d.best:.0f})" for k, d in prog.dims.items()
                 if d.count and k in names]
        if parts:
            surface.blit(t.small.render("各维度 第一次→最近: " + "   ".join(parts), True, t.c("muted")), (24, y))
