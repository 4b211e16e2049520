"""Progress: the lesson path as a map with stars per step, and one small chart per dimension over the
trainee's attempts (first, best and latest)."""
from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UIButton

from game.content.lessons import lesson_status, step_stars

from ..app import Screen
from ..widgets import charts
from ..widgets import text as tx
from .picker import best_totals
from .report import DIMENSIONS

NODE = {"passed": "good", "open": "accent", "locked": "grid"}


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
        self.best = best_totals(self.app)
        rubric = getattr(self.app.library, "rubric", None)
        self.grades = rubric.config.grades if rubric is not None else ()
        self.lessons = sorted(self.app.library.lessons.values(), key=lambda l: (l.order, l.id))

    def process_event(self, ev) -> bool:
        if (ev.type == pygame_gui.UI_BUTTON_PRESSED and ev.ui_element is self.back) or \
                (ev.type == pygame.KEYDOWN and ev.key == pygame.K_ESCAPE):
            from .start import StartScreen
            self.app.show(StartScreen(self.app))
            return True
        return False

    def view_key(self):
        return self.app.size  # nothing moves: drawn again only on events

    def draw(self, surface: pygame.Surface) -> None:
        t = self.t
        w, h = self.app.size
        title = t.title.render(f"学习进度 · {self.app.settings.profile}", True, t.c("text"))
        surface.blit(title, (24, 20))
        prog = self.prog
        if prog is None:
            surface.blit(t.body.render("记录不可用(无法打开数据文件)", True, t.c("bad_text")), (24, 70))
            return
        summary = self._summary(prog)
        if summary:
            img = t.text(tx.fit(t.small, summary, w - 64 - title.get_width()), t.small_size, "muted")
            surface.blit(img, (40 + title.get_width(), 32))
        map_h = self.draw_map(surface, pygame.Rect(24, 70, w - 48, (h - 150) * 11 // 20))
        self.draw_dimensions(surface, pygame.Rect(24, 70 + map_h + 12, w - 48, h - 70 - map_h - 12 - 70), prog)

    @staticmethod
    def _summary(prog) -> str:
        parts = []
        tr = prog.total
        if tr.count:
            parts.append(f"共 {tr.count} 次练习 · 第一次 {tr.first:.0f} → 最近 {tr.latest:.0f} (最好 {tr.best:.0f})")
        if prog.sessions:
            parts.append(f"询单转化率 {prog.conversion * 100:.0f}% ({prog.successes}/{prog.sessions})")
        return "    ".join(parts)

    def draw_map(self, surface, rect: pygame.Rect) -> int:
        """Each lesson as a row of steps: a numbered stop (green passed, orange next, grey locked) and
        its stars. Returns the height used."""
        t = self.t
        if not self.lessons:
            return 0
        label_w = min(190, rect.width // 5)
        row_h = max(54, min(84, rect.height // len(self.lessons)))
        star_font = t.font(round(13 * t.scale))
        r = max(10, min(16, row_h // 4))
        y = rect.y
        for lesson in self.lessons:
            status = lesson_status(lesson, self.best)
            done = sum(step_stars(s, self.best, self.grades) for s in lesson.steps)
            surface.blit(t.text(tx.fit(t.font(t.font_size, bold=True), lesson.title, label_w - 8), bold=True),
                         (rect.x, y + 4))
            surface.blit(t.text(f"★ {done}/{3 * len(lesson.steps)}", t.small_size, "muted"), (rect.x, y + 30))
            n = len(lesson.steps)
            gap = (rect.width - label_w) / max(n, 1)
            cy = y + r + 4
            xs = [rect.x + label_w + gap * (i + 0.5) for i in range(n)]
            if n > 1:
                pygame.draw.line(surface, t.c("grid"), (xs[0], cy), (xs[-1], cy), 3)
            for i, (step, st) in enumerate(zip(lesson.steps, status)):
                x = xs[i]
                if i and st != "locked":
                    pygame.draw.line(surface, t.c(NODE[status[i - 1]] if status[i - 1] == "passed" else "grid"),
                                     (xs[i - 1], cy), (x, cy), 3)
                pygame.draw.circle(surface, t.c(NODE[st]), (x, cy), r)
                if st == "open":
                    pygame.draw.circle(surface, t.c("accent"), (x, cy), r + 4, 2)
                num = t.text(str(i + 1), t.small_size, "panel" if st != "locked" else "muted", bold=True)
                surface.blit(num, num.get_rect(center=(x, cy)))
                stars = step_stars(step, self.best, self.grades)
                sx = x - 3 * star_font.size("★")[0] / 2
                for k in range(3):
                    img = star_font.render("★" if k < stars else "☆", True,
                                           t.c("gold") if k < stars else t.c("grid"))
                    surface.blit(img, (sx, cy + r + 2))
                    sx += img.get_width()
            y += row_h
        return y - rect.y

    def draw_dimensions(self, surface, rect: pygame.Rect, prog) -> None:
        """One small chart per dimension (and the total), three or six to a row."""
        t = self.t
        points = [p for p in prog.series if p.total is not None]
        charts_ = [("总分", [float(p.total) for p in points], prog.total)]
        for key, label in DIMENSIONS:
            vals = [float(p.dims[key]) for p in points if p.dims.get(key) is not None]
            charts_.append((label, vals, prog.dims.get(key)))
        cols = 6 if rect.width >= 1500 else 3
        rows = (len(charts_) + cols - 1) // cols
        cw = rect.width // cols
        ch = rect.height // rows
        if ch < 60:
            return
        for i, (label, vals, trend) in enumerate(charts_):
            box = pygame.Rect(rect.x + (i % cols) * cw, rect.y + (i // cols) * ch, cw - 12, ch - 10)
            pygame.draw.rect(surface, t.c("panel"), box, border_radius=8)
            head = label
            if trend is not None and getattr(trend, "count", 0):
                head += f"  {trend.first:.0f}→{trend.latest:.0f} · 最好 {trend.best:.0f}"
            surface.blit(t.text(tx.fit(t.small, head, box.width - 20), t.small_size, "text"), (box.x + 10, box.y + 6))
            plot = pygame.Rect(box.x + 10, box.y + 32, box.width - 20, box.height - 42)
            charts.spark(surface, t, plot, vals, charts.DIM_COLOURS[i % len(charts.DIM_COLOURS)])
