"""Progress: the trainee's scores over attempts per dimension, and first, best and latest."""
from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UIButton

from ..app import Screen
from ..widgets import charts
from .report import DIMENSIONS


def attempts(app) -> list[dict]:
    """Finished attempts of the current profile, oldest first: {'total': x, 'dimensions': {...}, 'persona': id}."""
    if app.store is None:
        return []
    try:
        return app.store.attempts(app.settings.profile)
    except Exception:  # noqa: BLE001
        return []


class ProgressScreen(Screen):
    def build(self) -> None:
        w, h = self.app.size
        self.back = UIButton(pygame.Rect(24, h - 58, 140, 42), "返回", self.m)
        self.rows = attempts(self.app)

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
        rows = [r for r in self.rows if r.get("total") is not None]
        series = {"总分": [float(r["total"]) for r in rows]}
        for key, label in DIMENSIONS:
            vals = [float(r.get("dimensions", {}).get(key, 0) or 0) for r in rows]
            if any(vals):
                series[label] = vals
        chart = pygame.Rect(64, 110, w - 110, h - 330)
        charts.lines(surface, t, chart, series)
        y = chart.bottom + 24
        if rows:
            totals = series["总分"]
            line = f"共 {len(rows)} 次练习    第一次 {totals[0]:.0f}    最好 {max(totals):.0f}    最近 {totals[-1]:.0f}"
            surface.blit(t.body.render(line, True, t.c("text")), (24, y))
            y += 34
            done = sum(1 for r in self.rows if r.get("outcome") == "success")
            surface.blit(t.body.render(f"询单转化率 {done / len(self.rows) * 100:.0f}%  ({done}/{len(self.rows)})", True,
                                       t.c("text")), (24, y))
        elif self.app.store is None:
            surface.blit(t.body.render("记录不可用(无法打开数据文件)", True, t.c("bad")), (24, y))
