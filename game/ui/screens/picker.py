"""Scenario picker: lessons with their steps, every persona, and the content files that failed to load."""
from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UISelectionList, UITextBox

from game.content.lessons import lesson_status, next_step

from ..app import Screen

STARS = {1: "★", 2: "★★", 3: "★★★"}


def best_totals(app) -> dict[str, float]:
    """Best report total per persona for the current profile (empty without a store)."""
    if app.store is None:
        return {}
    from game.store.live import best_totals as best
    return best(app.store, app.settings.profile)


def next_lesson_step(app):
    """(lesson, step index) the trainee should play next, or None when nothing is left."""
    return next_step(app.library.lessons.values(), best_totals(app))


class PickerScreen(Screen):
    def build(self) -> None:
        w, h = self.app.size
        lib = self.app.library
        self.best = best_totals(self.app)
        self.lessons = sorted(lib.lessons.values(), key=lambda l: (l.order, l.id))
        self.personas = sorted(lib.personas.values(), key=lambda p: (p.difficulty, p.archetype, p.id))
        col = (w - 72) // 2
        top = 90
        errors = self._errors_html()
        list_h = h - top - (250 if errors else 90)
        self.lesson_list = UISelectionList(pygame.Rect(24, top, col, list_h // 2 - 8),
                                           [(f"{l.title}  ({len(l.steps)} 关)", l.id) for l in self.lessons], self.m)
        self.step_list = UISelectionList(pygame.Rect(24, top + list_h // 2 + 8, col, list_h // 2 - 8), [], self.m)
        arch = lib.buyer_defaults.archetypes
        items = []
        for p in self.personas:
            best = self.best.get(p.id)
            score = f"  最佳 {best:.0f}" if best is not None else ""
            items.append((f"{STARS.get(p.difficulty, '')} {p.title} · {arch.get(p.archetype, p.archetype)}{score}", p.id))
        self.persona_list = UISelectionList(pygame.Rect(48 + col, top, col, list_h), items, self.m)
        y = top + list_h + 14
        s = self.app.settings
        self.mode_btn = UIButton(pygame.Rect(24, y, 180, 40), self._mode_label(), self.m)
        self.choice_btn = UIButton(pygame.Rect(214, y, 200, 40), self._choice_label(), self.m)
        self.start_btn = UIButton(pygame.Rect(w - 24 - 160, y, 160, 40), "开始", self.m, object_id="#primary")
        self.back_btn = UIButton(pygame.Rect(w - 24 - 330, y, 160, 40), "返回", self.m)
        self.errors = UITextBox(errors, pygame.Rect(24, y + 54, w - 48, h - y - 70), self.m,
                                allow_split_dashes=False) if errors else None
        self.selected_lesson = None
        self.selected_step = None
        self.selected_persona = None
        s.mode = s.mode if s.mode in ("practice", "exam") else "practice"

    def build_after_reload(self) -> None:
        self.app.show(PickerScreen(self.app))

    def _mode_label(self) -> str:
        return "模式: 练习" if self.app.settings.mode == "practice" else "模式: 考试"

    def _choice_label(self) -> str:
        return "新手选择题: 开" if self.app.settings.choices else "新手选择题: 关"

    def _errors_html(self) -> str:
        broken = self.app.library.broken
        if not broken:
            return ""
        parts = [f"<b>{len(broken)} 个内容文件有错误,未加载:</b>"]
        for r in broken:
            for p in r.errors[:3]:
                msg = p.message.replace("<", "&lt;").replace(">", "&gt;")
                parts.append(f"<font color='#E5484D'>{r.path}:{p.line}:{p.col}</font> {msg}")
        return "<br>".join(parts)

    def _show_steps(self, lesson) -> None:
        status = lesson_status(lesson, self.best)
        names = {"passed": "已通过", "open": "可挑战", "locked": "未解锁"}
        items = []
        for i, (step, st) in enumerate(zip(lesson.steps, status)):
            who = "、".join(self.app.library.personas[p].title for p in step.personas)
            label = step.title or ("同时接待: " if step.is_shift else "") + who
            items.append((f"{i + 1}. {label}  (及格 {step.pass_mark})  {names[st]}", f"{i}"))
        self.step_list.set_item_list(items)
        self.step_status = status

    def process_event(self, ev) -> bool:
        if ev.type == pygame_gui.UI_SELECTION_LIST_NEW_SELECTION:
            if ev.ui_element is self.lesson_list:
                lid = self.lesson_list.get_single_selection(include_object_id=True)
                self.selected_lesson = self.app.library.lessons.get(lid[1] if lid else None)
                if self.selected_lesson:
                    self._show_steps(self.selected_lesson)
                self.selected_persona = None
            elif ev.ui_element is self.step_list:
                sel = self.step_list.get_single_selection(include_object_id=True)
                self.selected_step = int(sel[1]) if sel else None
                self.selected_persona = None
            elif ev.ui_element is self.persona_list:
                sel = self.persona_list.get_single_selection(include_object_id=True)
                self.selected_persona = self.app.library.personas.get(sel[1]) if sel else None
            return True
        if ev.type == pygame_gui.UI_SELECTION_LIST_DOUBLE_CLICKED_SELECTION:
            self._start()
            return True
        if ev.type == pygame_gui.UI_BUTTON_PRESSED:
            if ev.ui_element is self.back_btn:
                from .start import StartScreen
                self.app.show(StartScreen(self.app))
            elif ev.ui_element is self.start_btn:
                self._start()
            elif ev.ui_element is self.mode_btn:
                s = self.app.settings
                s.mode = "exam" if s.mode == "practice" else "practice"
                s.save()
                self.mode_btn.set_text(self._mode_label())
            elif ev.ui_element is self.choice_btn:
                self.app.settings.choices = not self.app.settings.choices
                self.app.settings.save()
                self.choice_btn.set_text(self._choice_label())
            return True
        if ev.type == pygame.KEYDOWN and ev.key == pygame.K_ESCAPE:
            from .start import StartScreen
            self.app.show(StartScreen(self.app))
            return True
        return False

    def _start(self) -> None:
        from .workbench import start_lesson_step, start_personas
        if self.selected_persona is not None:
            start_personas(self.app, [self.selected_persona])
        elif self.selected_lesson is not None and self.selected_step is not None:
            if self.step_status[self.selected_step] == "locked":
                self.notice = "先通过前面的关卡才能挑战这一关"
                return
            start_lesson_step(self.app, self.selected_lesson, self.selected_step)

    notice = ""

    def draw(self, surface: pygame.Surface) -> None:
        t = self.t
        surface.blit(t.title.render("选择场景", True, t.c("text")), (24, 24))
        w = self.app.size[0]
        col = (w - 72) // 2
        surface.blit(t.small.render("课程 (选一门课,再选一关)", True, t.c("muted")), (24, 68))
        surface.blit(t.small.render("全部买家 (★ 越多越难)", True, t.c("muted")), (48 + col, 68))
        if self.notice:
            surface.blit(t.small.render(self.notice, True, t.c("bad")), (430, self.start_btn.rect.y + 10))

    def draw_overlay(self, surface: pygame.Surface) -> None:
        if self.selected_lesson is None:
            hint = self.t.text("点击上方的课程,这里会列出它的关卡", self.t.small_size, "muted")
            surface.blit(hint, hint.get_rect(center=self.step_list.rect.center))
