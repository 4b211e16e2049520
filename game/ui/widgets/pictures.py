"""Product pictures drawn from shapes (no image files to license): one outline per ``picture:`` kind
of a shop's product, in the product's first colour, with a swatch for every colour it comes in."""
from __future__ import annotations

import pygame

# Colour words of the shop files, longest match first; an unknown colour gets a neutral grey.
COLOUR_WORDS = {
    "米白": "#EFE6D2", "燕麦": "#D8C7A5", "卡其": "#C3A571", "原木": "#C89B63", "碳化": "#6B4A2E",
    "清漆": "#D9B77E", "浅蓝": "#9CC7E8", "深蓝": "#2C4A7A", "白": "#F7F7F4", "粉": "#F2A7B8", "蓝": "#4F7FCC",
    "黑": "#2B2B2B", "棕": "#7B4A2A", "灰": "#8E9196", "红": "#C8363D", "绿": "#4E8C5A", "黄": "#E8C547",
}

# Outlines in a unit box (x right, y down).
SHAPES: dict[str, list[list[tuple[float, float]]]] = {
    "shoe": [[(0.06, 0.58), (0.10, 0.36), (0.30, 0.33), (0.46, 0.46), (0.70, 0.50), (0.89, 0.57), (0.94, 0.68),
              (0.92, 0.74), (0.06, 0.74)]],
    "boot": [[(0.16, 0.12), (0.42, 0.12), (0.44, 0.50), (0.70, 0.55), (0.88, 0.62), (0.91, 0.76), (0.16, 0.76)]],
    "dress": [[(0.40, 0.12), (0.60, 0.12), (0.62, 0.40), (0.80, 0.90), (0.20, 0.90), (0.38, 0.40)]],
    "tshirt": [[(0.30, 0.14), (0.42, 0.10), (0.50, 0.17), (0.58, 0.10), (0.70, 0.14), (0.90, 0.32), (0.79, 0.44),
                (0.70, 0.37), (0.70, 0.90), (0.30, 0.90), (0.30, 0.37), (0.21, 0.44), (0.10, 0.32)]],
    "cardigan": [[(0.30, 0.10), (0.44, 0.10), (0.50, 0.40), (0.56, 0.10), (0.70, 0.10), (0.86, 0.28), (0.91, 0.86),
                  (0.80, 0.88), (0.72, 0.42), (0.72, 0.92), (0.28, 0.92), (0.28, 0.42), (0.20, 0.88), (0.09, 0.86),
                  (0.14, 0.28)]],
    "jeans": [[(0.30, 0.08), (0.70, 0.08), (0.75, 0.92), (0.56, 0.92), (0.50, 0.36), (0.44, 0.92), (0.25, 0.92)]],
    "coat": [[(0.32, 0.06), (0.44, 0.06), (0.50, 0.30), (0.56, 0.06), (0.68, 0.06), (0.85, 0.24), (0.89, 0.80),
              (0.79, 0.81), (0.72, 0.40), (0.75, 0.95), (0.25, 0.95), (0.28, 0.40), (0.21, 0.81), (0.11, 0.80),
              (0.15, 0.24)]],
    "planter": [[(0.12, 0.46), (0.88, 0.46), (0.84, 0.86), (0.16, 0.86)]],
    "tools": [[(0.20, 0.20), (0.32, 0.12), (0.50, 0.50), (0.44, 0.56)], [(0.44, 0.56), (0.50, 0.50), (0.80, 0.86),
                                                                        (0.72, 0.92)]],
    "watch": [],
}


def colour_of(name: str) -> pygame.Color:
    for word in sorted(COLOUR_WORDS, key=len, reverse=True):
        if word in name:
            return pygame.Color(COLOUR_WORDS[word])
    return pygame.Color("#B8BCC2")


def _shade(c: pygame.Color, f: float) -> pygame.Color:
    return pygame.Color(int(c.r * f), int(c.g * f), int(c.b * f))


def draw_product(surface: pygame.Surface, rect: pygame.Rect, kind: str, colour_name: str, line) -> None:
    """The ``kind`` outline filled with ``colour_name`` in ``rect`` (its height sets the size)."""
    fill = colour_of(colour_name)
    edge = pygame.Color(line) if fill.r + fill.g + fill.b > 300 else _shade(fill, 0.55)
    if fill.r + fill.g + fill.b < 150:
        edge = pygame.Color("#9AA0A8")  # a black product keeps a visible outline on the light card
    side = min(rect.height, int(rect.width * 0.8))
    box = pygame.Rect(0, 0, int(side * 1.25), side)
    box.center = rect.center

    def at(x: float, y: float) -> tuple[int, int]:
        return box.x + int(x * box.width), box.y + int(y * box.height)

    for poly in SHAPES.get(kind, []):
        pts = [at(x, y) for x, y in poly]
        pygame.draw.polygon(surface, fill, pts)
        pygame.draw.polygon(surface, edge, pts, 2)
    if kind in ("shoe", "boot"):
        pygame.draw.rect(surface, _shade(fill, 0.6) if fill.r + fill.g + fill.b > 150 else pygame.Color("#555B63"),
                         pygame.Rect(at(0.06 if kind == "shoe" else 0.16, 0.74), (at(0.92, 0.80)[0] - at(
                             0.06 if kind == "shoe" else 0.16, 0.74)[0], max(3, box.height // 14))))
    elif kind == "watch":
        c, r = at(0.5, 0.56), box.height // 4
        pygame.draw.rect(surface, edge, pygame.Rect(at(0.45, 0.12), (box.width // 10, box.height // 5)),
                         border_radius=3)
        pygame.draw.circle(surface, fill, c, r)
        pygame.draw.circle(surface, pygame.Color("#FFFFFF"), c, int(r * 0.72))
        pygame.draw.circle(surface, edge, c, r, 2)
        pygame.draw.line(surface, pygame.Color("#333333"), c, (c[0], c[1] - int(r * 0.55)), 2)
        pygame.draw.line(surface, pygame.Color("#333333"), c, (c[0] + int(r * 0.4), c[1]), 2)
    elif kind == "planter":
        for y in (0.59, 0.72):
            pygame.draw.line(surface, edge, at(0.14, y), at(0.86, y), 1)
        for x in (0.24, 0.42, 0.58, 0.76):
            pygame.draw.circle(surface, pygame.Color("#4E8C5A"), at(x, 0.38), max(4, box.height // 9))
    elif kind in ("cardigan", "coat"):
        pygame.draw.line(surface, edge, at(0.5, 0.40 if kind == "cardigan" else 0.30), at(0.5, 0.92), 1)
        for y in (0.52, 0.64, 0.76):
            pygame.draw.circle(surface, edge, at(0.54, y), 2)
        if kind == "coat":
            pygame.draw.rect(surface, _shade(fill, 0.75), pygame.Rect(at(0.27, 0.50), (box.width // 2, 5)))
    elif kind == "jeans":
        pygame.draw.line(surface, edge, at(0.30, 0.16), at(0.70, 0.16), 2)
    if "碎花" in colour_name and kind in SHAPES:
        for x, y in ((0.42, 0.5), (0.55, 0.62), (0.35, 0.75), (0.62, 0.8), (0.5, 0.3), (0.47, 0.7)):
            pygame.draw.circle(surface, pygame.Color("#FFFFFF"), at(x, y), 2)
