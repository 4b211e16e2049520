"""Charts drawn on screen: a radar of dimension scores, a reply-time timeline, progress lines."""
from __future__ import annotations

import math

import pygame

DIM_COLOURS = ["#FF6A00", "#3B82F6", "#22A06B", "#A855F7", "#E5484D", "#0EA5E9"]


def radar(surface, theme, rect: pygame.Rect, labels: list[str], values: list[float]) -> None:
    """Values 0-100 on a spider chart with a grid at 20-point steps."""
    n = len(labels)
    if n < 3:
        return
    cx, cy = rect.center
    r = min(rect.width, rect.height) / 2 - 34
    pts = lambda scale: [(cx + math.sin(2 * math.pi * i / n) * r * scale,  # noqa: E731
                          cy - math.cos(2 * math.pi * i / n) * r * scale) for i in range(n)]
    for step in (0.2, 0.4, 0.6, 0.8, 1.0):
        pygame.draw.polygon(surface, theme.c("border"), pts(step), 1)
    for (x, y) in pts(1.0):
        pygame.draw.line(surface, theme.c("border"), (cx, cy), (x, y))
    vals = [max(0.0, min(100.0, v)) / 100 for v in values]
    poly = [(cx + (x - cx) * v, cy + (y - cy) * v) for (x, y), v in zip(pts(1.0), vals)]
    shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
    fill = pygame.Color(theme.c("accent"))
    fill.a = 70
    pygame.draw.polygon(shade, fill, poly)
    surface.blit(shade, (0, 0))
    pygame.draw.polygon(surface, theme.c("accent"), poly, 2)
    for (x, y), label, v in zip(pts(1.16), labels, values):
        img = theme.small.render(f"{label} {v:.0f}", True, theme.c("text"))
        surface.blit(img, img.get_rect(center=(x, y)))


def bars(surface, theme, rect: pygame.Rect, labels: list[str], values: list[float]) -> None:
    """Horizontal bars, 0-100."""
    if not labels:
        return
    h = min(34, rect.height // len(labels))
    lw = max(theme.small.size(s)[0] for s in labels) + 10
    for i, (label, v) in enumerate(zip(labels, values)):
        y = rect.y + i * h
        surface.blit(theme.small.render(label, True, theme.c("text")), (rect.x, y + 4))
        bar = pygame.Rect(rect.x + lw, y + 6, rect.width - lw - 44, h - 14)
        pygame.draw.rect(surface, theme.c("border"), bar, border_radius=4)
        col = theme.c("good") if v >= 80 else (theme.c("warn") if v >= 60 else theme.c("bad"))
        pygame.draw.rect(surface, col, (bar.x, bar.y, int(bar.width * max(0, min(v, 100)) / 100), bar.height),
                         border_radius=4)
        surface.blit(theme.small.render(f"{v:.0f}", True, theme.c("text")), (bar.right + 8, y + 4))


def reply_timeline(surface, theme, rect: pygame.Rect, waits: list[tuple[float, bool]], limit: float,
                   golden: float) -> None:
    """One bar per trainee reply: how long the buyer waited; the seed limits as dashed lines."""
    pygame.draw.line(surface, theme.c("border"), rect.bottomleft, rect.bottomright)
    if not waits:
        surface.blit(theme.small.render("没有回复记录", True, theme.c("muted")), rect.topleft)
        return
    top = max(limit * 1.5, max(w for w, _ in waits) * 1.1)
    for value, col in ((golden, "good"), (limit, "bad")):
        y = rect.bottom - rect.height * value / top
        for x in range(rect.x, rect.right, 12):
            pygame.draw.line(surface, theme.c(col), (x, y), (min(x + 6, rect.right), y))
        surface.blit(theme.small.render(f"{value:g}秒", True, theme.c(col)), (rect.right + 4, y - 9))
    bw = max(6, min(30, rect.width // max(len(waits), 1) - 6))
    for i, (w, first) in enumerate(waits):
        x = rect.x + 6 + i * (bw + 6)
        hh = max(2, rect.height * w / top)
        lim = 15.0 if first else limit
        col = theme.c("good") if w <= golden else (theme.c("warn") if w <= lim else theme.c("bad"))
        pygame.draw.rect(surface, col, (x, rect.bottom - hh, bw, hh), border_radius=3)


def lines(surface, theme, rect: pygame.Rect, series: dict[str, list[float]]) -> None:
    """Score lines over attempts (0-100), one colour per series, with a legend."""
    pygame.draw.rect(surface, theme.c("panel"), rect)
    for v in (0, 50, 100):
        y = rect.bottom - rect.height * v / 100
        pygame.draw.line(surface, theme.c("border"), (rect.x, y), (rect.right, y))
        surface.blit(theme.small.render(str(v), True, theme.c("muted")), (rect.x - 30, y - 9))
    n = max((len(s) for s in series.values()), default=0)
    if n == 0:
        surface.blit(theme.body.render("还没有练习记录", True, theme.c("muted")), rect.move(20, 20).topleft)
        return
    step = rect.width / max(n - 1, 1)
    lx = rect.x
    for i, (name, values) in enumerate(series.items()):
        col = pygame.Color(DIM_COLOURS[i % len(DIM_COLOURS)])
        pts = [(rect.x + j * step, rect.bottom - rect.height * max(0, min(v, 100)) / 100) for j, v in enumerate(values)]
        if len(pts) > 1:
            pygame.draw.lines(surface, col, False, pts, 3)
        for p in pts:
            pygame.draw.circle(surface, col, p, 4)
        legend = theme.small.render(name, True, col)
        surface.blit(legend, (lx, rect.y - 26))
        lx += legend.get_width() + 18
