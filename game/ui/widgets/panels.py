"""The workbench side panels: the buyer list (left) and the product and policy card (right)."""
from __future__ import annotations

import pygame

from . import text as tx

OUTCOME_TEXT = {"success": "成交", "lost": "已离开", "bad_review": "差评", "escalated": "投诉"}
OUTCOME_COLOUR = {"success": "good", "lost": "muted", "bad_review": "bad", "escalated": "bad"}


def wait_colour(theme, seconds: float, limit: float, golden: float) -> pygame.Color:
    """Green within the golden time, amber up to the limit, red beyond (seed 000 figures)."""
    if seconds <= golden:
        return theme.c("good")
    if seconds <= limit:
        return theme.c("warn")
    return theme.c("bad")


def _colour_name(theme, colour) -> str:
    return next((k for k, v in theme.colour.items() if v == colour), "text")


class BuyerList:
    ROW = 68

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
        head = t.text(f"接待中 ({len(session.order)})", t.small_size, "muted")
        surface.blit(head, (self.rect.x + 14, self.rect.y + 10))
        self.rows = []
        y = self.rect.y + 36
        for n, cid in enumerate(session.order, 1):
            view = session.views[cid]
            conv = session.desk.chats[cid]
            r = pygame.Rect(self.rect.x, y, self.rect.width, self.ROW)
            self.rows.append((r, cid))
            if cid == session.active:
                pygame.draw.rect(surface, t.c("selected"), r)
                pygame.draw.rect(surface, t.c("accent"), (r.x, r.y, 4, r.height))
            name = t.text(f"{n}. {view.persona.buyer.name}", bold=True)
            surface.blit(name, (r.x + 14, r.y + 8))
            sub = tx.fit(t.small, view.persona.title, r.width - 28)
            surface.blit(t.text(sub, t.small_size, "muted"), (r.x + 14, r.y + 8 + name.get_height()))
            right = r.right - 12
            if conv.finished:
                tag = t.text(OUTCOME_TEXT.get(conv.outcome, conv.outcome), t.small_size, "panel")
                box = tag.get_rect().inflate(12, 4)
                box.topright = (right, r.y + 10)
                pygame.draw.rect(surface, t.c(OUTCOME_COLOUR.get(conv.outcome, "muted")), box, border_radius=8)
                surface.blit(tag, tag.get_rect(center=box.center))
            else:
                since = conv.waiting_since
                if since is not None:
                    secs = max(0.0, now - since)
                    col = wait_colour(t, secs, conv.reply_limit, self.golden)
                    clock = t.text(f"{secs:.0f}秒", t.small_size, _colour_name(t, col))
                    pygame.draw.circle(surface, col, (right - clock.get_width() - 10, r.y + 18), 5)
                    surface.blit(clock, (right - clock.get_width(), r.y + 10))
                if view.unread:
                    badge = t.text(str(view.unread), t.small_size, "panel")
                    c = (right - 10, r.y + 44)
                    pygame.draw.circle(surface, t.c("bad"), c, max(10, badge.get_width() // 2 + 5))
                    surface.blit(badge, badge.get_rect(center=c))
            pygame.draw.line(surface, t.c("border"), (r.x + 10, r.bottom - 1), (r.right - 10, r.bottom - 1))
            y += self.ROW


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
