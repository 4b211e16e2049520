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


class ProductCard:
    def __init__(self, theme, rect: pygame.Rect):
        self.theme = theme
        self.rect = pygame.Rect(rect)
        self._key = None
        self._img: pygame.Surface | None = None

    def draw(self, surface: pygame.Surface, conv, practice: bool) -> None:
        t = self.theme
        pygame.draw.rect(surface, t.c("panel"), self.rect)
        pygame.draw.line(surface, t.c("border"), self.rect.topleft, self.rect.bottomleft)
        if conv is None:
            return
        key = (id(conv.persona), self.rect.size, t.font_size)
        if key != self._key:
            self._key = key
            self._img = self._render(conv.persona, self.rect.width - 28)
        y = self.rect.y + 12
        if practice:
            # The buyer's mood: a learning aid shown in practice mode only.
            mood = conv.mood
            label = t.text(f"买家心情 {mood:.0f}", t.small_size, "muted")
            surface.blit(label, (self.rect.x + 14, y))
            bar = pygame.Rect(self.rect.x + 14, y + label.get_height() + 4, self.rect.width - 28, 8)
            pygame.draw.rect(surface, t.c("border"), bar, border_radius=4)
            col = t.c("good") if mood >= 60 else (t.c("warn") if mood >= 35 else t.c("bad"))
            pygame.draw.rect(surface, col, (bar.x, bar.y, int(bar.width * mood / 100), bar.height), border_radius=4)
            y = bar.bottom + 12
        clip = surface.get_clip()
        surface.set_clip(pygame.Rect(self.rect.x, y, self.rect.width, self.rect.bottom - y))
        surface.blit(self._img, (self.rect.x + 14, y))
        surface.set_clip(clip)

    def _render(self, persona, width: int) -> pygame.Surface:
        t = self.theme
        p, shop = persona.product, persona.shop
        pol = shop.policies
        stock = "充足" if p.stock > 20 else ("紧张(不要说出具体件数)" if p.stock > 0 else "无货")
        rows: list[tuple[str, str, object]] = [
            ("h", p.name, None),
            ("kv", "标价", f"¥{persona.list_price:g}    最低可让 ¥{persona.floor_price:g}"),
            ("kv", "库存", stock),
        ]
        for label, items in (("尺码", p.sizes), ("颜色", p.colors), ("材质", p.materials),
                             ("卖点", p.selling_points), ("不足", p.weak_points)):
            if items:
                rows.append(("kv", label, "、".join(items)))
        rows.append(("h", shop.name, None))
        if pol.free_shipping_threshold:
            rows.append(("kv", "包邮", f"满{pol.free_shipping_threshold:g}元包邮"))
        rows.append(("kv", "退换", f"{pol.return_days}天无理由退货, {pol.exchange_days}天内换货"))
        if pol.invoice_tax_rate:
            rows.append(("kv", "发票", f"可开; 多开部分税点 {pol.invoice_tax_rate * 100:g}% 由买家承担"))
        if pol.shipping_cutoff:
            rows.append(("kv", "发货", f"{pol.shipping_cutoff} 前下单当天发出"))
        if pol.couriers:
            fees = "、".join(f"{n}+{f:g}元" if f else n for n, f in pol.couriers)
            rows.append(("kv", "快递", fees))
        rows.append(("kv", "货到付款", "支持" if pol.cash_on_delivery else "暂未开通"))
        for note in pol.notes:
            rows.append(("note", note, None))
        parts = []
        for kind, a, b in rows:
            if kind == "h":
                parts.append(t.font(t.font_size, bold=True).render(tx.fit(t.body, a, width), True, t.c("text")))
            elif kind == "kv":
                parts.append(tx.render(t.small, f"{a}: {b}", t.c("text"), width))
            else:
                parts.append(tx.render(t.small, f"· {a}", t.c("muted"), width))
        h = sum(s.get_height() + 6 for s in parts) + 10
        img = pygame.Surface((width, h), pygame.SRCALPHA)
        y = 0
        for i, s in enumerate(parts):
            if rows[i][0] == "h" and i:
                y += 8
            img.blit(s, (0, y))
            y += s.get_height() + 6
        return img
