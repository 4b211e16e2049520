"""Chinese text layout with inline Wangwang emoticons, wrapped per character, rendered once."""
from __future__ import annotations

import math
from functools import lru_cache

import pygame

from game.content.emoticons import FACE_RE, FACES
# Lines must not start with closing punctuation (a light kinsoku rule).
_NO_START = set("，。！？、；：）」』》,.!?;:)")


@lru_cache(maxsize=64)
def face(kind: str, size: int) -> pygame.Surface:
    """A small drawn face for an emoticon code (no image files needed)."""
    s = pygame.Surface((size, size), pygame.SRCALPHA)
    r = size // 2 - 1
    c = (size // 2, size // 2)
    yellow, line = pygame.Color("#FFC83D"), pygame.Color("#7A4A00")
    if kind == "heart":
        red = pygame.Color("#E5484D")
        pygame.draw.circle(s, red, (size * 0.33, size * 0.38), size * 0.22)
        pygame.draw.circle(s, red, (size * 0.67, size * 0.38), size * 0.22)
        pygame.draw.polygon(s, red, [(size * 0.13, size * 0.45), (size * 0.87, size * 0.45), (size * 0.5, size * 0.9)])
        return s
    if kind == "rose":
        pygame.draw.line(s, pygame.Color("#22A06B"), (c[0], c[1]), (c[0], size - 1), max(1, size // 10))
        pygame.draw.circle(s, pygame.Color("#E5484D"), (c[0], size * 0.35), size * 0.3)
        return s
    if kind == "thumb":
        pygame.draw.rect(s, yellow, (size * 0.2, size * 0.45, size * 0.6, size * 0.45), border_radius=size // 6)
        pygame.draw.rect(s, yellow, (size * 0.42, size * 0.1, size * 0.2, size * 0.45), border_radius=size // 8)
        pygame.draw.rect(s, line, (size * 0.2, size * 0.45, size * 0.6, size * 0.45), 1, border_radius=size // 6)
        return s
    if kind == "angry":
        yellow = pygame.Color("#FF8A5B")
    pygame.draw.circle(s, yellow, c, r)
    pygame.draw.circle(s, line, c, r, 1)
    eye = max(1, size // 10)
    ex, ey = size * 0.32, size * 0.4
    if kind == "wink":
        pygame.draw.line(s, line, (ex - eye, ey), (ex + eye, ey), 1)
        pygame.draw.circle(s, line, (size - ex, ey), eye)
    elif kind == "cool":
        pygame.draw.rect(s, line, (size * 0.18, size * 0.32, size * 0.64, size * 0.16))
    else:
        pygame.draw.circle(s, line, (ex, ey), eye)
        pygame.draw.circle(s, line, (size - ex, ey), eye)
    mouth = pygame.Rect(size * 0.28, size * 0.42, size * 0.44, size * 0.34)
    if kind == "angry":  # brows down to the middle
        pygame.draw.line(s, line, (size * 0.2, size * 0.26), (size * 0.42, size * 0.34), 1)
        pygame.draw.line(s, line, (size * 0.8, size * 0.26), (size * 0.58, size * 0.34), 1)
    if kind == "cry":  # a tear under each eye
        blue = pygame.Color("#3B82F6")
        for x in (ex, size - ex):
            pygame.draw.ellipse(s, blue, (x - size * 0.06, ey + size * 0.08, size * 0.12, size * 0.22))
    if kind in ("sad", "cry", "angry"):
        pygame.draw.arc(s, line, mouth.move(0, size * 0.2), 0.2, math.pi - 0.2, 1)
    elif kind == "grin":
        pygame.draw.ellipse(s, line, (size * 0.3, size * 0.58, size * 0.4, size * 0.2))
    else:
        pygame.draw.arc(s, line, mouth, math.pi + 0.3, 2 * math.pi - 0.3, max(1, size // 14))
    if kind == "shy":
        pink = pygame.Color("#FF8FA3")
        pygame.draw.circle(s, pink, (size * 0.22, size * 0.6), size * 0.08)
        pygame.draw.circle(s, pink, (size * 0.78, size * 0.6), size * 0.08)
    return s


def tokens(text: str) -> list[str]:
    """Characters, with each emoticon code kept whole."""
    out: list[str] = []
    pos = 0
    for m in FACE_RE.finditer(text):
        out.extend(text[pos:m.start()])
        out.append(m.group(0))
        pos = m.end()
    out.extend(text[pos:])
    return out


def layout(font: pygame.font.Font, text: str, width: int) -> list[list[str]]:
    """Greedy wrap by pixel width; ASCII words stay whole when they fit on a line."""
    lines: list[list[str]] = []
    for para in text.split("\n"):
        line: list[str] = []
        w = 0
        toks = tokens(para)
        i = 0
        while i < len(toks):
            tok = toks[i]
            # Keep a Latin word or number together.
            if tok.isascii() and tok.isalnum():
                j = i
                while j < len(toks) and toks[j].isascii() and toks[j].isalnum() and len(toks[j]) == 1:
                    j += 1
                word = toks[i:j]
                ww = sum(_tw(font, t) for t in word)
                if w + ww > width and line and ww <= width:
                    lines.append(line)
                    line, w = [], 0
                for t in word:
                    tw = _tw(font, t)
                    if w + tw > width and line:
                        lines.append(line)
                        line, w = [], 0
                    line.append(t)
                    w += tw
                i = j
                continue
            tw = _tw(font, tok)
            # Closing punctuation may hang one character past the edge rather than start a line.
            hang = tok in _NO_START and line and line[-1] not in _NO_START and w <= width
            if w + tw > width and line and not hang:
                lines.append(line)
                line, w = [], 0
            line.append(tok)
            w += tw
            i += 1
        lines.append(line)
    return lines


def _tw(font: pygame.font.Font, tok: str) -> int:
    if tok in FACES:
        return font.get_linesize()
    return font.size(tok)[0]


def render(font: pygame.font.Font, text: str, colour, width: int) -> pygame.Surface:
    """Render wrapped text with inline faces onto a transparent surface of at most `width`."""
    lines = layout(font, text, max(width, 20))
    lh = font.get_linesize()
    real_w = 1
    rows = []
    for line in lines:
        x = 0
        parts = []
        run = ""
        for tok in line + [None]:
            if tok is None or tok in FACES:
                if run:
                    surf = font.render(run, True, colour)
                    parts.append((x, surf))
                    x += surf.get_width()
                    run = ""
                if tok is not None:
                    parts.append((x, face(FACES[tok], lh - 4)))
                    x += lh
            else:
                run += tok
        rows.append(parts)
        real_w = max(real_w, x)
    out = pygame.Surface((real_w, max(lh * len(rows), lh)), pygame.SRCALPHA)
    for r, parts in enumerate(rows):
        for x, surf in parts:
            dy = (lh - surf.get_height()) // 2 if surf.get_height() < lh - 2 else 0
            out.blit(surf, (x, r * lh + dy))
    return out


def fit(font: pygame.font.Font, text: str, width: int) -> str:
    """Cut `text` to one line of `width` pixels, with an ellipsis."""
    if font.size(text)[0] <= width:
        return text
    while text and font.size(text + "…")[0] > width:
        text = text[:-1]
    return text + "…"
