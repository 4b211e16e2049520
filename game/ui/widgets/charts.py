"""Charts drawn on screen: a radar of dimension scores, a reply-time timeline, small lines, medals, confetti."""
from __future__ import annotations

import math

import pygame

DIM_COLOURS = ["#FF6A00", "#3B82F6", "#22A06B", "#A855F7", "#E5484D", "#0EA5E9"]


def score_colour(theme, v: float) -> pygame.Color:
    """Text colour for a 0-100 score: green from 80, amber from 60, red below (all >= 4.5:1 on white)."""
    return theme.c("good_text") if v >= 80 else (theme.c("warn_text") if v >= 60 else theme.c("bad_text"))


def radar(surface, theme, rect: pygame.Rect, labels: list[str], values: list[float]) -> None:
    """Values 0-100 on a spider chart: rings at 20-point steps, each label outside its spoke's end."""
    n = len(labels)
    if n < 3:
        return
    imgs = [theme.small.render(f"{label} {v:.0f}", True, score_colour(theme, v)) for label, v in zip(labels, values)]
    lw = max(i.get_width() for i in imgs)
    lh = max(i.get_height() for i in imgs)
    cx, cy = rect.center
    r = max(24.0, min(rect.width / 2 - lw - 10, rect.height / 2 - lh - 8))
    angles = [2 * math.pi * i / n for i in range(n)]
    pts = lambda scale: [(cx + math.sin(a) * r * scale, cy - math.cos(a) * r * scale) for a in angles]  # noqa: E731
    pygame.draw.polygon(surface, theme.c("panel"), pts(1.0))
    for step in (0.2, 0.4, 0.6, 0.8, 1.0):
        pygame.draw.polygon(surface, theme.c("grid"), pts(step), 2 if step == 1.0 else 1)
    for (x, y) in pts(1.0):
        pygame.draw.line(surface, theme.c("grid"), (cx, cy), (x, y))
    vals = [max(0.0, min(100.0, v)) / 100 for v in values]
    poly = [(cx + (x - cx) * v, cy + (y - cy) * v) for (x, y), v in zip(pts(1.0), vals)]
    shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
    fill = pygame.Color(theme.c("accent"))
    fill.a = 70
    pygame.draw.polygon(shade, fill, poly)
    surface.blit(shade, (0, 0))
    pygame.draw.polygon(surface, theme.c("accent"), poly, 2)
    for p in poly:
        pygame.draw.circle(surface, theme.c("accent"), p, 3)
    for a, (x, y), img in zip(angles, pts(1.0), imgs):
        sx, sy = math.sin(a), -math.cos(a)
        at = (x + sx * 8, y + sy * 6)
        if sx > 0.3:
            box = img.get_rect(midleft=at)
        elif sx < -0.3:
            box = img.get_rect(midright=at)
        else:
            box = img.get_rect(midbottom=at) if sy < 0 else img.get_rect(midtop=at)
        surface.blit(img, box)


def reply_timeline(surface, theme, rect: pygame.Rect, waits: list[tuple[float, bool]], limit: float,
                   golden: float) -> None:
    """One bar per trainee reply: how long the buyer waited, in seconds above the bar where it fits;
    the seed limits as dashed lines."""
    pygame.draw.line(surface, theme.c("grid"), rect.bottomleft, rect.bottomright)
    if not waits:
        surface.blit(theme.small.render("没有回复记录", True, theme.c("muted")), rect.topleft)
        return
    lh = theme.small.get_height()
    top = max(limit * 1.5, max(w for w, _ in waits)) * rect.height / max(rect.height - lh, 1)
    for value, col in ((golden, "good_text"), (limit, "bad_text")):
        y = rect.bottom - rect.height * value / top
        for x in range(rect.x, rect.right, 12):
            pygame.draw.line(surface, theme.c(col), (x, y), (min(x + 6, rect.right), y))
        surface.blit(theme.small.render(f"{value:g}秒", True, theme.c(col)), (rect.right + 4, y - lh // 2))
    bw = max(6, min(30, rect.width // max(len(waits), 1) - 6))
    free = rect.x  # a value is written only where it does not run into the one before
    for i, (w, first) in enumerate(waits):
        x = rect.x + 6 + i * (bw + 6)
        hh = max(2, rect.height * w / top)
        lim = 15.0 if first else limit
        col = "good" if w <= golden else ("warn" if w <= lim else "bad")
        pygame.draw.rect(surface, theme.c(col), (x, rect.bottom - hh, bw, hh), border_radius=3)
        img = theme.small.render(f"{w:.0f}", True, theme.c(col + "_text"))
        box = img.get_rect(midbottom=(x + bw / 2, rect.bottom - hh - 1))
        if box.x >= free and box.right <= rect.right:
            surface.blit(img, box)
            free = box.right + 3

MEDAL = {1: "gold", 2: "silver", 3: "bronze"}


def medal(surface, theme, centre: tuple[float, float], radius: int, place: int) -> None:
    """A medal: two ribbon tails above a coloured disc with the place on it."""
    cx, cy = centre
    for dx, col in ((-1, "accent"), (1, "info")):
        tail = [(cx + dx * radius * 0.2, cy - radius * 0.6), (cx + dx * radius * 0.85, cy - radius * 1.9),
                (cx + dx * radius * 0.35, cy - radius * 1.9), (cx - dx * radius * 0.25, cy - radius * 0.6)]
        pygame.draw.polygon(surface, theme.c(col), tail)
    pygame.draw.circle(surface, theme.c(MEDAL.get(place, "bronze")), centre, radius)
    pygame.draw.circle(surface, theme.c("face_line"), centre, radius, max(1, radius // 10))
    num = theme.font(max(10, int(radius * 1.1)), bold=True).render(str(place), True, theme.c("panel"))
    surface.blit(num, num.get_rect(center=centre))


def confetti(surface, theme, size, pieces, progress: float) -> None:
    """Pieces (rows of four numbers in 0-1 from a seeded generator) falling as `progress` runs 0 to 1."""
    w, h = size
    colours = [theme.c(c) for c in ("accent", "good", "info", "gold", "bad")]
    for i, (fx, fy, fs, fc) in enumerate(pieces):
        x = fx * w + math.sin(progress * 6 + i) * 12
        y = (fy - 1 + progress * (1.2 + fs)) * h
        if 0 <= y <= h:
            pygame.draw.rect(surface, colours[int(fc * len(colours)) % len(colours)], (x, y, 6 + fs * 6, 10),
                             border_radius=2)


def spark(surface, theme, rect: pygame.Rect, values: list[float], colour: str) -> None:
    """A small 0-100 line over attempts with a faint pass line at 60, the latest value written at its end."""
    y60 = rect.bottom - rect.height * 0.6
    for x in range(rect.x, rect.right, 8):
        pygame.draw.line(surface, theme.c("grid"), (x, y60), (min(x + 4, rect.right), y60))
    pygame.draw.line(surface, theme.c("grid"), rect.bottomleft, rect.bottomright)
    if not values:
        img = theme.text("还没有记录", theme.small_size, "muted")
        surface.blit(img, img.get_rect(center=rect.center))
        return
    label = theme.small.render(f"{values[-1]:.0f}", True, score_colour(theme, values[-1]))
    plot = rect.inflate(-label.get_width() - 8, 0).move(-(label.get_width() + 8) // 2, 0)
    col = pygame.Color(colour)
    step = plot.width / max(len(values) - 1, 1)
    pts = [(plot.x + i * step, plot.bottom - plot.height * max(0.0, min(v, 100.0)) / 100) for i, v in enumerate(values)]
    if len(pts) > 1:
        pygame.draw.lines(surface, col, False, pts, 2)
    for p in pts[-30:]:
        pygame.draw.circle(surface, col, p, 3)
    end = pts[-1]
    box = label.get_rect(midleft=(end[0] + 6, end[1]))
    box.clamp_ip(rect)
    surface.blit(label, box)
