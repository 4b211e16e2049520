"""The chat: bubbles rendered once per message and cached, scrolled by the wheel, newest at the bottom."""
from __future__ import annotations

import pygame

from game.scoring.notes import feedback_notes

from . import text as tx


NOTE_TEXT = {"bad": "bad_text", "info": "info_text", "good": "good_text", "more": "muted"}


def feedback_card(t, notes: list[tuple[str, str]], width: int) -> pygame.Surface:
    """The feedback on one reply as a card: each fault with why, then the better wording, left-aligned
    (or what went well, on green)."""
    pad = 10
    faulty = any(col == "bad" for _, col in notes)
    imgs = [tx.render(t.small, line, t.c(NOTE_TEXT.get(col, "text")), width - 2 * pad) for line, col in notes]
    inner = max(i.get_width() for i in imgs)
    w = inner + 2 * pad
    h = sum(i.get_height() + 2 for i in imgs) + 2 * pad - 4
    card = pygame.Surface((w, h), pygame.SRCALPHA)
    pygame.draw.rect(card, t.c("late_soft" if faulty else "good_soft"), card.get_rect(), border_radius=8)
    pygame.draw.rect(card, t.c("bad_text" if faulty else "good_text"), (0, 6, 3, h - 12), border_radius=2)
    y = pad - 2
    for img in imgs:
        card.blit(img, (pad, y))
        y += img.get_height() + 2
    return card


class ChatView:
    """Bubbles are rendered lazily from the bottom up and cached per chat, so a long shift with
    many buyers costs about one blit per visible bubble a frame. A click on a feedback card opens it
    to every fault and strength, and closes it again."""

    def __init__(self, theme, rect: pygame.Rect):
        self.theme = theme
        self.rect = pygame.Rect(rect)
        self.conv = None
        self.buyer_name = ""
        self.agent_name = "我"
        self.show_feedback = True
        self.scroll = 0            # pixels scrolled up from the bottom
        self._caches: dict[str, dict] = {}   # chat id -> {"items": [...], "fb": [...], "n": int}
        self._typing_phase = 0.0
        self._open: dict[str, set[int]] = {}  # chat id -> indexes of the expanded feedback cards
        self.cards: list[tuple[pygame.Rect, int]] = []  # (where, message index) of the cards drawn last

    def show(self, conv, buyer_name: str, show_feedback: bool) -> None:
        if show_feedback != self.show_feedback:
            self._caches.clear()
        if conv is not self.conv:
            self.scroll = 0
        self.conv = conv
        self.buyer_name = buyer_name
        self.show_feedback = show_feedback

    def forget(self) -> None:
        """Drop every rendered bubble (a view rebuilt from scratch, e.g. several chats growing at once)."""
        self._caches.clear()

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
        key = (has_fb, i in self._open.get(self.conv.id, ()))
        if c["items"][i] is None or key != c["fb"][i]:
            c["items"][i] = self._bubble(m, self.rect.width, key[1])
            c["fb"][i] = key
        return c["items"][i]

    def to_top(self) -> None:
        """Scroll to the first line (a report is read from the start)."""
        if self.conv is None:
            return
        c = self._cache()
        total = sum(self._item(c, i)[1] for i in range(len(c["items"])))
        self.scroll = max(0, total - self.rect.height + 20)

    def handle(self, ev) -> bool:
        if ev.type == pygame.MOUSEWHEEL and self.rect.collidepoint(pygame.mouse.get_pos()) and self.conv:
            c = self._cache()
            total = sum(it[1] if it else 60 for it in c["items"])
            self.scroll = max(0, min(self.scroll + ev.y * 40, max(0, total - self.rect.height + 20)))
            return True
        if ev.type == pygame.MOUSEBUTTONDOWN and getattr(ev, "button", 1) == 1 and self.conv:
            for r, i in self.cards:
                if r.collidepoint(ev.pos):
                    self._open.setdefault(self.conv.id, set()).symmetric_difference_update({i})
                    return True
        return False

    def _bubble(self, m, width: int, expanded: bool = False) -> tuple[pygame.Surface, int, pygame.Rect | None]:
        t = self.theme
        pad, gap = 12, 6
        if m.who == "note":  # a line between chats (the trainer's view of several chats)
            img = tx.render(t.small, m.text, t.c("muted"), width - 32)
            block = pygame.Surface((width, img.get_height() + 2 * gap), pygame.SRCALPHA)
            block.blit(img, img.get_rect(midtop=(width // 2, gap)))
            return block, block.get_height(), None
        max_w = int(width * 0.66)
        is_buyer = m.who == "buyer"
        body = tx.render(t.body, m.text, t.c("text"), max_w - 2 * pad)
        t0 = m.time - self.conv.started  # clock time since this buyer opened the chat
        stamp = f"{int(t0 // 60):02d}:{int(t0 % 60):02d}"
        name = self.buyer_name if is_buyer else self.agent_name
        if is_buyer and m.kind == "nudge":
            name += " · 催促"
        head = t.small.render(f"{name}  {stamp}", True, t.c("muted"))
        bw, bh = body.get_width() + 2 * pad, body.get_height() + 2 * pad - 6
        notes = []
        if self.show_feedback and not is_buyer and m.feedback is not None:
            short, full = feedback_notes(m.feedback), feedback_notes(m.feedback, full=True)
            more = len(full) - len(short)
            notes = full if expanded else short
            if more > 0:
                notes = notes + [("▲ 收起" if expanded else f"▼ 还有 {more} 条,点击展开", "more")]
        card = feedback_card(t, notes, max(bw, min(int(width * 0.8), 560))) if notes else None
        h = head.get_height() + 2 + bh + (card.get_height() + 4 if card else 0) + gap * 2
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
        where = None
        if card is not None:  # under the reply, its right edge on the bubble's
            where = card.get_rect(topright=(width - 16, y))
            block.blit(card, where)
        return block, h, where

    def update(self, dt: float) -> None:
        self._typing_phase = (self._typing_phase + dt) % 1.2

    def view_state(self) -> tuple:
        """What the chat shows: which chat, how far scrolled, its lines and notes, the typing dots."""
        c = self.conv
        if c is None:
            return ()
        tail = tuple(m.feedback is not None for m in c.transcript[-4:])  # notes arrive after the line
        typing = int(self._typing_phase / 0.3) if c.buyer_typing and not c.finished else -1
        return (id(c), self.scroll, len(c.transcript), tail, typing, self.show_feedback, self.rect.size,
                len(self._open.get(c.id, ())))

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
        self.cards = []
        for i in range(len(c["items"]) - 1, -1, -1):
            if y < self.rect.top:
                break
            block, h, card = self._item(c, i)
            y -= h
            if y <= self.rect.bottom:
                surface.blit(block, (self.rect.x, y))
                if card is not None:
                    self.cards.append((card.move(self.rect.x, y).clip(self.rect), i))
        surface.set_clip(clip)
