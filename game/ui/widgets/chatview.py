"""The chat: bubbles rendered once per message and cached, scrolled by the wheel, newest at the bottom."""
from __future__ import annotations

import pygame

from game.scoring.notes import feedback_notes

from . import text as tx


class ChatView:
    """Bubbles are rendered lazily from the bottom up and cached per chat, so a long shift with
    many buyers costs about one blit per visible bubble a frame."""

    def __init__(self, theme, rect: pygame.Rect):
        self.theme = theme
        self.rect = pygame.Rect(rect)
        self.conv = None
        self.buyer_name = ""
        self.show_feedback = True
        self.scroll = 0            # pixels scrolled up from the bottom
        self._caches: dict[str, dict] = {}   # chat id -> {"items": [...], "fb": [...], "n": int}
        self._typing_phase = 0.0

    def show(self, conv, buyer_name: str, show_feedback: bool) -> None:
        if show_feedback != self.show_feedback:
            self._caches.clear()
        if conv is not self.conv:
            self.scroll = 0
        self.conv = conv
        self.buyer_name = buyer_name
        self.show_feedback = show_feedback

    def resize(self, rect: pygame.Rect) -> None:
        if rect.width != self.rect.width:
            self._caches.clear()
        self.rect = pygame.Rect(rect)

    def _cache(self) -> dict:
        c = self._caches.get(self.conv.id)
        if c is None:
            c = self._caches[self.conv.id] = {"items": [], "fb": [], "n": 0}
        tr = self.conv.transcript
        if len(tr) > c["n"]:
            grow = len(tr) - len(c["items"])
            c["items"].extend([None] * grow)
            c["fb"].extend([False] * grow)
            c["n"] = len(tr)
            self.scroll = 0  # a new line: stick to the bottom
        return c

    def _item(self, c: dict, i: int):
        m = self.conv.transcript[i]
        has_fb = m.feedback is not None and self.show_feedback and m.who == "agent"
        if c["items"][i] is None or has_fb != c["fb"][i]:
            c["items"][i] = self._bubble(m, self.rect.width)
            c["fb"][i] = has_fb
        return c["items"][i]

    def handle(self, ev) -> bool:
        if ev.type == pygame.MOUSEWHEEL and self.rect.collidepoint(pygame.mouse.get_pos()) and self.conv:
            c = self._cache()
            total = sum(it[1] if it else 60 for it in c["items"])
            self.scroll = max(0, min(self.scroll + ev.y * 40, max(0, total - self.rect.height + 20)))
            return True
        return False

    def _bubble(self, m, width: int) -> tuple[pygame.Surface, int]:
        t = self.theme
        pad, gap = 12, 6
        max_w = int(width * 0.66)
        is_buyer = m.who == "buyer"
        body = tx.render(t.body, m.text, t.c("text"), max_w - 2 * pad)
        t0 = m.time - self.conv.started  # clock time since this buyer opened the chat
        stamp = f"{int(t0 // 60):02d}:{int(t0 % 60):02d}"
        name = self.buyer_name if is_buyer else "我"
        if is_buyer and m.kind == "nudge":
            name += " · 催促"
        head = t.small.render(f"{name}  {stamp}", True, t.c("muted"))
        bw, bh = body.get_width() + 2 * pad, body.get_height() + 2 * pad - 6
        notes = feedback_notes(m.feedback) if (self.show_feedback and not is_buyer) else []
        note_imgs = [tx.render(t.small, line, t.c(col), int(width * 0.8)) for line, col in notes]
        h = head.get_height() + 2 + bh + sum(i.get_height() for i in note_imgs) + gap * 2
        block = pygame.Surface((width, h), pygame.SRCALPHA)
        x = 16 if is_buyer else width - 16 - bw
        block.blit(head, (x if is_buyer else width - 16 - head.get_width(), 0))
        y = head.get_height() + 2
        colour = t.c("buyer_bubble") if is_buyer else t.c("agent_bubble")
        rect = pygame.Rect(x, y, bw, bh)
        pygame.draw.rect(block, colour, rect, border_radius=t.radius)
        if is_buyer:
            pygame.draw.rect(block, t.c("border"), rect, 1, border_radius=t.radius)
        block.blit(body, (x + pad, y + pad - 3))
        y += bh + 4
        for img in note_imgs:
            block.blit(img, (width - 16 - img.get_width(), y))
            y += img.get_height()
        return block, h

    def update(self, dt: float) -> None:
        self._typing_phase = (self._typing_phase + dt) % 1.2

    def draw(self, surface: pygame.Surface) -> None:
        t = self.theme
        if self.rect.width <= 0 or self.rect.height <= 0:
            return
        pygame.draw.rect(surface, t.c("panel_alt"), self.rect)
        if self.conv is None:
            return
        c = self._cache()
        clip = surface.get_clip()
        surface.set_clip(self.rect)
        y = self.rect.bottom - 8 + self.scroll
        if self.conv.buyer_typing and not self.conv.finished:
            dots = "." * (1 + int(self._typing_phase / 0.4))
            img = t.small.render(f"{self.buyer_name} 正在输入{dots}", True, t.c("muted"))
            y -= img.get_height() + 4
            surface.blit(img, (self.rect.x + 16, y))
        for i in range(len(c["items"]) - 1, -1, -1):
            if y < self.rect.top:
                break
            block, h = self._item(c, i)
            y -= h
            if y <= self.rect.bottom:
                surface.blit(block, (self.rect.x, y))
        surface.set_clip(clip)
