"""The reply box: multi-line Chinese input that shows the pinyin being composed.

pygame_gui handles no IME composition, so this widget takes TEXTEDITING itself, draws the
composition underlined at the caret and places the candidate window there. The composition's
own cursor (`event.start`) is ignored: pygame-ce#3755 / SDL#7616 report it wrong after Left or
Backspace, and drawing the candidate window at the end of the composition is always right.
Enter sends, Shift+Enter breaks the line, Ctrl+V pastes.
"""
from __future__ import annotations

from typing import Callable

import pygame

from game.content.emoticons import CODES

from . import text as tx


class ReplyBox:
    def __init__(self, theme, rect: pygame.Rect, on_send: Callable[[str], None],
                 on_change: Callable[[str], None] | None = None, placeholder: str = "输入回复,Enter 发送,Shift+Enter 换行"):
        self.theme = theme
        self.rect = pygame.Rect(rect)
        self.on_send = on_send
        self.on_change = on_change
        self.placeholder = placeholder
        self.text = ""
        self.caret = 0
        self.composition = ""
        self.focused = True
        self.enabled = True
        self._cache_key = None
        self._cache: tuple[pygame.Surface, tuple[int, int]] | None = None
        self._blink = 0.0

    # ------------------------------------------------------------ state
    def set_text(self, text: str) -> None:
        self.text = text
        self.caret = len(text)
        self.composition = ""

    def insert(self, s: str) -> None:
        self.text = self.text[:self.caret] + s + self.text[self.caret:]
        self.caret += len(s)
        self._changed()

    def _changed(self) -> None:
        if self.on_change:
            self.on_change(self.text)

    def focus(self) -> None:
        self.focused = True
        pygame.key.start_text_input()

    # ------------------------------------------------------------ events
    def handle(self, ev) -> bool:
        """True when the event was for this box."""
        if not self.enabled:
            return False
        if ev.type == pygame.MOUSEBUTTONDOWN and ev.button == 1:
            self.focused = self.rect.collidepoint(ev.pos)
            return self.focused
        if not self.focused:
            return False
        if ev.type == pygame.TEXTEDITING:
            self.composition = ev.text
            return True
        if ev.type == pygame.TEXTINPUT:
            self.composition = ""
            self.insert(ev.text)
            return True
        if ev.type != pygame.KEYDOWN or self.composition:
            return False  # while composing, keys belong to the input method
        mods = ev.mod
        ctrl = mods & (pygame.KMOD_CTRL | pygame.KMOD_META)
        if ev.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            if mods & pygame.KMOD_SHIFT:
                self.insert("\n")
            else:
                msg = self.text.strip()
                if msg:
                    self.on_send(msg)
            return True
        if ev.key == pygame.K_BACKSPACE and self.caret > 0:
            cut = self._token_before()
            self.text = self.text[:self.caret - cut] + self.text[self.caret:]
            self.caret -= cut
            self._changed()
            return True
        if ev.key == pygame.K_DELETE and self.caret < len(self.text):
            self.text = self.text[:self.caret] + self.text[self.caret + 1:]
            self._changed()
            return True
        if ev.key == pygame.K_LEFT:
            self.caret = max(0, self.caret - self._token_before())
            return True
        if ev.key == pygame.K_RIGHT:
            self.caret = min(len(self.text), self.caret + 1)
            return True
        if ev.key == pygame.K_HOME:
            self.caret = self.text.rfind("\n", 0, self.caret) + 1
            return True
        if ev.key == pygame.K_END:
            nl = self.text.find("\n", self.caret)
            self.caret = len(self.text) if nl < 0 else nl
            return True
        if ctrl and ev.key == pygame.K_v:
            try:
                pasted = pygame.scrap.get_text() or ""
            except pygame.error:
                pasted = ""
            if pasted:
                self.insert(pasted.replace("\r\n", "\n"))
            return True
        return ev.key in (pygame.K_BACKSPACE, pygame.K_DELETE)

    def _token_before(self) -> int:
        """Backspace removes a whole emoticon code at once."""
        for code in CODES:
            if self.text.endswith(code, 0, self.caret):
                return len(code)
        return 1

    # ------------------------------------------------------------ drawing
    def update(self, dt: float) -> None:
        self._blink = (self._blink + dt) % 1.0

    def view_state(self) -> tuple:
        """What the box shows: text, caret and whether the caret is lit now."""
        return (self.text, self.caret, self.composition, self.focused, self.enabled,
                self.focused and (self._blink < 0.6 or bool(self.composition)))

    def draw(self, surface: pygame.Surface) -> None:
        t = self.theme
        pygame.draw.rect(surface, t.c("panel"), self.rect, border_radius=8)
        border = t.c("accent") if self.focused and self.enabled else t.c("border")
        pygame.draw.rect(surface, border, self.rect, 1, border_radius=8)
        inner = self.rect.inflate(-20, -14)
        font = t.body
        if not self.text and not self.composition:
            surface.blit(font.render(self.placeholder if self.enabled else "对话已结束", True, t.c("muted")),
                         inner.topleft)
            caret_xy = inner.topleft
        else:
            img, caret_xy = self._rendered(inner.width)
            # Scroll so the caret line stays visible.
            dy = max(0, caret_xy[1] + font.get_linesize() - inner.height)
            clip = surface.get_clip()
            surface.set_clip(inner)
            surface.blit(img, (inner.x, inner.y - dy))
            surface.set_clip(clip)
            caret_xy = (inner.x + caret_xy[0], inner.y + caret_xy[1] - dy)
        if self.focused and self.enabled:
            lh = font.get_linesize()
            if self._blink < 0.6 or self.composition:
                pygame.draw.line(surface, t.c("text"), caret_xy, (caret_xy[0], caret_xy[1] + lh - 2), 2)
            # The input method's candidate window opens at the caret.
            pygame.key.set_text_input_rect(pygame.Rect(caret_xy[0], caret_xy[1], 2, lh))

    def _rendered(self, width: int):
        key = (self.text, self.caret, self.composition, width, self.theme.font_size)
        if key != self._cache_key:
            self._cache_key = key
            font = self.theme.body
            before = self.text[:self.caret]
            shown = before + self.composition + self.text[self.caret:]
            img = tx.render(font, shown, self.theme.c("text"), width)
            lines = tx.layout(font, before + self.composition, width)
            lh = font.get_linesize()
            last = lines[-1] if lines else []
            x = sum(tx._tw(font, tok) for tok in last)
            y = (len(lines) - 1) * lh
            if self.composition:
                comp_w = font.size(self.composition)[0]
                x0 = max(0, x - comp_w)
                pygame.draw.line(img, self.theme.c("accent"), (x0, y + lh - 3), (x, y + lh - 3), 2)
            self._cache = (img, (x, y))
        return self._cache
