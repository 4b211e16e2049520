"""The workbench side panels: the buyer list (left) and the product and policy card (right)."""
from __future__ import annotations

import math

import pygame

from . import text as tx

OUTCOME_TEXT = {"success": "成交", "lost": "已离开", "bad_review": "差评", "escalated": "投诉"}
OUTCOME_COLOUR = {"success": "good_text", "lost": "muted", "bad_review": "bad_text", "escalated": "bad_text"}


AVATAR_COLOURS = ("#B5541C", "#2F64B0", "#1F7A52", "#8E44AD", "#8A6500", "#B0365A", "#17727A", "#56606E")
PREVIEW_PREFIX = {"agent": "我: ", "nudge": "[催促] "}
LEVEL_BG = {"warn": "warn_soft", "late": "late_soft"}
LEVEL_TEXT = {"ok": "good_text", "warn": "warn_text", "late": "bad_text"}


def avatar_colour(chat_id: str) -> pygame.Color:
    persona = chat_id.split(":", 1)[-1]
    return pygame.Color(AVATAR_COLOURS[sum(persona.encode()) % len(AVATAR_COLOURS)])


class BuyerList:
    """千牛's 接待中 list: avatar with a countdown ring, name, the last line, the wait; rows tinted
    by how long the buyer has waited; the longest waiter marked 下一位 (Tab)."""
    ROW = 84
    AVATAR = 18  # radius

    def __init__(self, theme, rect: pygame.Rect, golden: float = 6.0):
        self.theme = theme
        self.rect = pygame.Rect(rect)
        self.golden = golden
        self.rows: list[tuple[pygame.Rect, str]] = []

    def hit(self, pos) -> str | None:
        for r, cid in self.rows:
            if r.collidepoint(pos):
                return cid
        return None

    def draw(self, surface: pygame.Surface, session, now: float) -> None:
        t = self.theme
        pygame.draw.rect(surface, t.c("panel"), self.rect)
        pygame.draw.line(surface, t.c("border"), self.rect.topright, self.rect.bottomright)
        queue = session.queue(self.golden)
        waiting = sum(1 for q in queue if q.waited is not None)
        head = t.text(f"接待中 ({len(queue)})" + (f" · 待回复 {waiting}" if waiting else ""), t.small_size, "muted")
        surface.blit(head, (self.rect.x + 14, self.rect.y + 10))
        self.rows = []
        y = self.rect.y + 36
        for n, q in enumerate(queue, 1):
            r = pygame.Rect(self.rect.x, y, self.rect.width, self.ROW)
            self.rows.append((r, q.chat_id))
            self._row(surface, r, n, q)
            y += self.ROW

    def _row(self, surface: pygame.Surface, r: pygame.Rect, n: int, q) -> None:
        t = self.theme
        bg = LEVEL_BG.get(q.level) if q.waited is not None else None
        if q.active:
            bg = "selected"
        if bg:
            pygame.draw.rect(surface, t.c(bg), r)
        if q.active:
            pygame.draw.rect(surface, t.c("accent"), (r.x, r.y, 4, r.height))
        # avatar: the buyer's first character on a colour of their own, ringed by the countdown
        c = (r.x + 14 + self.AVATAR + 3, r.y + r.height // 2)
        pygame.draw.circle(surface, avatar_colour(q.chat_id), c, self.AVATAR)
        initial = t.text(q.name[:1] or "?", t.small_size, "panel", bold=True)
        surface.blit(initial, initial.get_rect(center=c))
        if q.due is not None and q.span > 0:
            ring = pygame.Rect(0, 0, 2 * self.AVATAR + 8, 2 * self.AVATAR + 8)
            ring.center = c
            pygame.draw.circle(surface, t.c("border"), c, self.AVATAR + 4, 3)
            frac = max(0.0, min(1.0, q.due / q.span))
            if frac > 0:
                col = t.c("bad_text") if q.leaves else t.c(LEVEL_TEXT[q.level])
                pygame.draw.arc(surface, col, ring, math.pi / 2, math.pi / 2 + 2 * math.pi * frac, 3)
        x = c[0] + self.AVATAR + 10
        right = r.right - 10
        # right column: the wait (or the outcome), and the unread count
        if q.outcome is not None:
            tag = t.text(OUTCOME_TEXT.get(q.outcome, q.outcome), t.small_size, "panel")
            box = tag.get_rect().inflate(12, 4)
            box.topright = (right, r.y + 10)
            pygame.draw.rect(surface, t.c(OUTCOME_COLOUR.get(q.outcome, "muted")), box, border_radius=8)
            surface.blit(tag, tag.get_rect(center=box.center))
        elif q.waited is not None:
            clock = t.text(f"等{q.waited:.0f}秒", t.small_size, LEVEL_TEXT[q.level], bold=q.level != "ok")
            surface.blit(clock, (right - clock.get_width(), r.y + 10))
        name = t.text(f"{n}. {q.name}", bold=True)
        surface.blit(name, (x, r.y + 6))
        # second line: the last thing said (a nudge marked), or the buyer typing
        y2 = r.y + 8 + name.get_height()
        badge_w = 0
        if q.unread:
            badge = t.text(str(q.unread), t.small_size, "panel")
            rad = max(10, badge.get_width() // 2 + 5)
            bc = (right - rad, y2 + t.small.get_height() // 2)
            pygame.draw.circle(surface, t.c("bad_text"), bc, rad)
            surface.blit(badge, badge.get_rect(center=bc))
            badge_w = 2 * rad + 6
        if q.preview:
            colour = {"nudge": "bad_text", "typing": "info_text"}.get(q.preview_kind, "muted")
            line = tx.fit(t.small, PREVIEW_PREFIX.get(q.preview_kind, "") + q.preview, right - badge_w - x)
            surface.blit(t.text(line, t.small_size, colour), (x, y2))
        # third line: the countdown to the next nudge or to leaving, and the next-up mark
        y3 = y2 + t.small.get_height() + 2
        if q.due is not None:
            what = "离开" if q.leaves else "催促"
            cd = t.text(f"{q.due:.0f}秒后{what}", t.small_size, "bad_text" if q.leaves else LEVEL_TEXT[q.level])
            surface.blit(cd, (x, y3))
        if q.next_up:
            tag = t.text("下一位 (Tab)", t.small_size, "panel")
            box = tag.get_rect().inflate(10, 2)
            box.topright = (right, y3)
            pygame.draw.rect(surface, t.c("bad_text" if q.level == "late" else "accent_text"), box, border_radius=6)
            surface.blit(tag, tag.get_rect(center=box.center))
        pygame.draw.line(surface, t.c("border"), (r.x + 10, r.bottom - 1), (r.right - 10, r.bottom - 1))


class SidePanel:
    """The right panel, tabbed like 千牛's: 商品 (picture, SKU, sizes, stock, the shop's rules),
    订单 (number, items, paid, status, tracking) and 客户 (name, tags). The content scrolls with the
    wheel; the buyer's mood stays above the tabs in practice mode."""
    TABS = ("商品", "订单", "客户")
    TAB_H = 34
    PICTURE_H = 96

    def __init__(self, theme, rect: pygame.Rect):
        self.theme = theme
        self.rect = pygame.Rect(rect)
        self.tab = 0
        self.scroll = 0
        self.tab_rects: list[pygame.Rect] = []
        self.view = pygame.Rect(0, 0, 0, 0)
        self._key = None
        self._img: pygame.Surface | None = None
        self._persona = None

    def hit(self, pos) -> int | None:
        for i, r in enumerate(self.tab_rects):
            if r.collidepoint(pos):
                return i
        return None

    def handle(self, ev) -> bool:
        if ev.type == pygame.MOUSEBUTTONDOWN and ev.button == 1:
            i = self.hit(ev.pos)
            if i is not None:
                self.select(i)
                return True
        if ev.type == pygame.MOUSEWHEEL and self.view.collidepoint(pygame.mouse.get_pos()):
            self.scroll_by(-ev.y * 40)
            return True
        return False

    def select(self, i: int) -> None:
        self.tab = i % len(self.TABS)
        self.scroll = 0

    def scroll_by(self, dy: int) -> None:
        extra = max(0, (self._img.get_height() if self._img else 0) - self.view.height)
        self.scroll = max(0, min(extra, self.scroll + dy))

    def draw(self, surface: pygame.Surface, conv, practice: bool) -> None:
        t = self.theme
        pygame.draw.rect(surface, t.c("panel"), self.rect)
        pygame.draw.line(surface, t.c("border"), self.rect.topleft, self.rect.bottomleft)
        if conv is None:
            return
        if conv.persona is not self._persona:
            self._persona, self.scroll = conv.persona, 0
        y = self.rect.y + 10
        if practice:
            # The buyer's mood: a learning aid shown in practice mode only.
            mood = conv.mood
            label = t.text(f"买家心情 {mood:.0f}", t.small_size, "muted")
            surface.blit(label, (self.rect.x + 14, y))
            bar = pygame.Rect(self.rect.x + 14, y + label.get_height() + 4, self.rect.width - 28, 8)
            pygame.draw.rect(surface, t.c("border"), bar, border_radius=4)
            col = t.c("good") if mood >= 60 else (t.c("warn") if mood >= 35 else t.c("bad"))
            pygame.draw.rect(surface, col, (bar.x, bar.y, int(bar.width * mood / 100), bar.height), border_radius=4)
            y = bar.bottom + 8
        self._tabs(surface, y, conv.persona)
        y += self.TAB_H + 8
        self.view = pygame.Rect(self.rect.x + 14, y, self.rect.width - 28, self.rect.bottom - y - 6)
        key = (id(conv.persona), self.tab, self.view.width, t.font_size)
        if key != self._key:
            self._key = key
            self._img = self._render(conv.persona, self.view.width)
        self.scroll_by(0)
        clip = surface.get_clip()
        surface.set_clip(self.view)
        surface.blit(self._img, (self.view.x, self.view.y - self.scroll))
        surface.set_clip(clip)
        if self._img.get_height() > self.view.height:  # a scroll bar says there is more
            frac = self.view.height / self._img.get_height()
            bar_h = max(24, int(self.view.height * frac))
            top = self.view.y + int((self.view.height - bar_h) * self.scroll / (self._img.get_height() - self.view.height))
            pygame.draw.rect(surface, t.c("border"), (self.rect.right - 7, top, 4, bar_h), border_radius=2)

    def _tabs(self, surface: pygame.Surface, y: int, persona) -> None:
        t = self.theme
        w = (self.rect.width - 16) // len(self.TABS)
        self.tab_rects = []
        for i, name in enumerate(self.TABS):
            r = pygame.Rect(self.rect.x + 8 + i * w, y, w, self.TAB_H)
            self.tab_rects.append(r)
            active = i == self.tab
            label = name + ("(1)" if name == "订单" and persona.order is not None else "")
            img = t.text(label, None, "accent_text" if active else "muted", bold=active)
            surface.blit(img, img.get_rect(center=(r.centerx, r.centery - 1)))
            if active:
                pygame.draw.rect(surface, t.c("accent"), (r.x + 6, r.bottom - 3, r.width - 12, 3), border_radius=1)
        pygame.draw.line(surface, t.c("border"), (self.rect.x + 8, y + self.TAB_H), (self.rect.right - 8, y + self.TAB_H))

    def _render(self, persona, width: int) -> pygame.Surface:
        from game.content import factsheet as fs
        t = self.theme
        parts: list[tuple[int, pygame.Surface]] = []  # (gap above, image)
        name = self.TABS[self.tab]
        if name == "商品":
            parts.append((0, self._picture(persona.product, width)))
            rows = fs.product_rows(persona)
        elif name == "订单":
            rows = fs.order_rows(persona)
        else:
            parts.append((0, self._avatar(persona, width)))
            if persona.buyer.tags:
                parts.append((6, self._chips(persona.buyer.tags, width)))
            rows = [r for r in fs.customer_rows(persona)[1:] if r.label != "标签"]  # name and tags drawn above
        for i, row in enumerate(rows):
            if row.kind == "head":
                img = t.text(tx.fit(t.font(t.font_size, bold=True), row.label, width), None, "text", bold=True)
                parts.append((10 if parts else 0, img))
            elif row.kind == "kv":
                label = f"{row.label}: " if row.label else "    "
                parts.append((4, tx.render(t.small, label + row.value, t.c("text"), width)))
            elif row.kind == "step":
                parts.append((4, self._step(row, width, first=rows[i - 1].kind != "step")))
            else:
                parts.append((4, tx.render(t.small, f"· {row.label}", t.c("muted"), width)))
        h = sum(g + s.get_height() for g, s in parts) + 12
        img = pygame.Surface((width, h), pygame.SRCALPHA)
        y = 0
        for gap, s in parts:
            y += gap
            img.blit(s, (0, y))
            y += s.get_height()
        return img

    def _picture(self, product, width: int) -> pygame.Surface:
        from .pictures import colour_of, draw_product
        t = self.theme
        img = pygame.Surface((width, self.PICTURE_H + 30), pygame.SRCALPHA)
        box = pygame.Rect(0, 0, width, self.PICTURE_H)
        pygame.draw.rect(img, t.c("bg"), box, border_radius=8)
        colours = [str(c) for c in product.colors] or [""]
        if product.picture:
            draw_product(img, box.inflate(-16, -12), product.picture, colours[0], t.c("border"))
        x = 0
        for c in colours[:6]:  # a swatch per colour it comes in
            if not c:
                break
            label = t.text(c, t.small_size, "muted")
            if x + 18 + label.get_width() > width:
                break
            pygame.draw.circle(img, colour_of(c), (x + 7, self.PICTURE_H + 15), 7)
            pygame.draw.circle(img, t.c("border"), (x + 7, self.PICTURE_H + 15), 7, 1)
            img.blit(label, (x + 18, self.PICTURE_H + 15 - label.get_height() // 2))
            x += 18 + label.get_width() + 12
        return img

    def _avatar(self, persona, width: int) -> pygame.Surface:
        t = self.theme
        name = t.text(persona.buyer.name, None, "text", bold=True)
        img = pygame.Surface((width, 52), pygame.SRCALPHA)
        pygame.draw.circle(img, avatar_colour(persona.id), (22, 24), 22)
        ini = t.text(persona.buyer.name[:1] or "?", None, "panel", bold=True)
        img.blit(ini, ini.get_rect(center=(22, 24)))
        img.blit(name, (54, 24 - name.get_height() // 2))
        return img

    def _chips(self, tags, width: int) -> pygame.Surface:
        """Tags as the CRM shows them: small rounded labels, wrapped."""
        t = self.theme
        imgs = [t.text(tag, t.small_size, "accent_text") for tag in tags]
        pos, x, y, line_h = [], 0, 0, t.small.get_height() + 8
        for img in imgs:
            w = min(img.get_width() + 14, width)
            if x and x + w > width:
                x, y = 0, y + line_h + 4
            pos.append((x, y, w))
            x += w + 6
        out = pygame.Surface((width, y + line_h), pygame.SRCALPHA)
        for img, (x, y, w) in zip(imgs, pos):
            box = pygame.Rect(x, y, w, line_h)
            pygame.draw.rect(out, t.c("accent_text"), box, 1, border_radius=line_h // 2)
            out.blit(img, img.get_rect(center=box.center), area=pygame.Rect(0, 0, w - 14, img.get_height()))
        return out

    def _step(self, row, width: int, first: bool) -> pygame.Surface:
        """A tracking step: a dot on a line, the time, what happened (the newest is highlighted)."""
        t = self.theme
        text = tx.render(t.small, row.value, t.c("text" if first else "muted"), width - 22)
        when = t.text(row.label, t.small_size, "muted")
        h = text.get_height() + when.get_height() + 6
        img = pygame.Surface((width, h), pygame.SRCALPHA)
        pygame.draw.line(img, t.c("border"), (6, 0), (6, h), 2)
        pygame.draw.circle(img, t.c("accent" if first else "border"), (6, 8), 5)
        img.blit(text, (22, 0))
        img.blit(when, (22, text.get_height() + 2))
        return img
