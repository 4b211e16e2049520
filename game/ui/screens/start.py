"""Start: who is training, and where to go."""
from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UITextEntryLine

from ..app import Screen


class StartScreen(Screen):
    def lift(self) -> int:
        """How far everything moves up on a short window, so the hints below the buttons still show."""
        return max(0, min(70, 720 - self.app.size[1]))

    def build(self) -> None:
        w, h = self.app.size
        cx = w // 2
        up = self.lift()
        self.name = UITextEntryLine(pygame.Rect(cx - 160, 250 - up, 320, 44), self.m, placeholder_text="输入你的名字")
        self.name.set_text(self.app.settings.profile)
        self.name.length_limit = 20
        y = 330 - up
        self.buttons = {}
        for key, label, oid in (("continue", "继续课程", "#primary"), ("pick", "选择场景", None),
                                ("progress", "学习进度", None), ("settings", "设置", None), ("quit", "退出", None)):
            self.buttons[key] = UIButton(pygame.Rect(cx - 160, y, 320, 46), label, self.m, object_id=oid)
            y += 58
        # The classroom: a trainer hosts a room on the LAN, students join it.
        self.buttons["host"] = UIButton(pygame.Rect(cx + 190, 330 - up, 200, 46), "开设课堂(培训师)", self.m)
        self.buttons["join"] = UIButton(pygame.Rect(cx + 190, 388 - up, 200, 46), "加入课堂(学员)", self.m)

    def _profile(self) -> str:
        name = self.name.get_text().strip()[:20] or "学员"
        if name != self.app.settings.profile:
            self.app.settings.profile = name
            self.app.settings.save()
        return name

    def process_event(self, ev) -> bool:
        if ev.type == pygame_gui.UI_BUTTON_PRESSED:
            self._profile()
            b = self.buttons
            if ev.ui_element is b["continue"]:
                from .picker import PickerScreen, next_lesson_step
                step = next_lesson_step(self.app)
                if step is None:
                    self.app.show(PickerScreen(self.app))
                else:
                    from .workbench import start_lesson_step
                    start_lesson_step(self.app, *step)
            elif ev.ui_element is b["pick"]:
                from .picker import PickerScreen
                self.app.show(PickerScreen(self.app))
            elif ev.ui_element is b["progress"]:
                from .progress import ProgressScreen
                self.app.show(ProgressScreen(self.app))
            elif ev.ui_element is b["settings"]:
                from .settings import SettingsScreen
                self.app.show(SettingsScreen(self.app))
            elif ev.ui_element is b["quit"]:
                self.app.ask_close()
            elif ev.ui_element is b["host"]:
                from .classroom import HostScreen
                self.app.show(HostScreen(self.app))
            elif ev.ui_element is b["join"]:
                from .classroom import JoinScreen
                self.app.show(JoinScreen(self.app))
            return True
        if ev.type == pygame.KEYDOWN and ev.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            # Enter continues the lesson path: keyboard-only play from the first screen.
            self.process_event(pygame.event.Event(pygame_gui.UI_BUTTON_PRESSED,
                                                  {"ui_element": self.buttons["continue"]}))
            return True
        if ev.type == pygame.KEYDOWN and ev.key == pygame.K_p and not self.name.is_focused:
            self.process_event(pygame.event.Event(pygame_gui.UI_BUTTON_PRESSED, {"ui_element": self.buttons["pick"]}))
            return True
        return False

    def draw(self, surface: pygame.Surface) -> None:
        t = self.t
        w, h = self.app.size
        up = self.lift()
        title = t.font(round(40 * t.scale), bold=True).render("客服实训模拟器", True, t.c("text"))
        surface.blit(title, title.get_rect(center=(w // 2, 120 - up)))
        sub = t.text("网店客服在线接待训练 · 离线 · 实时计时", None, "muted")
        surface.blit(sub, sub.get_rect(center=(w // 2, 172 - up)))
        label = t.text("学员", t.small_size, "muted")
        surface.blit(label, (w // 2 - 160, 226 - up))
        hint = t.text("Enter 继续课程 · 工作台里 Tab 切换买家, Ctrl+1..9 直达, Enter 发送, Shift+Enter 换行", t.small_size, "muted")
        surface.blit(hint, hint.get_rect(center=(w // 2, min(640, h - 18))))
        broken = [r for r in self.app.library.broken]
        if broken:
            msg = t.text(f"有 {len(broken)} 个内容文件有错误,已跳过(在“选择场景”中查看原因)", t.small_size, "bad_text")
            surface.blit(msg, msg.get_rect(center=(w // 2, min(640, h - 18) - 26)))
