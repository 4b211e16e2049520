"""Lessons: ordered tracks of personas with a pass mark each; a step may be a shift of several buyers."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Mark, Report, unknown
from .loader import ID_RE, Library, _read
from .schema import Shape
from .yamlpos import PosList


@dataclass(frozen=True)
class LessonStep:
    personas: tuple[str, ...]   # one persona, or several buyers at once on one clock (a shift)
    pass_mark: int
    title: str = ""
    gap: float = 0.0            # seconds between buyers arriving in a shift

    @property
    def is_shift(self) -> bool:
        return len(self.personas) > 1


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    order: int
    summary: str
    steps: tuple[LessonStep, ...]
    path: str = ""


def step_passed(step: LessonStep, best: dict[str, float]) -> bool:
    """Every buyer of the step played to its pass mark (`best`: best report total per persona)."""
    return all(best.get(p, -1) >= step.pass_mark for p in step.personas)


def step_stars(step: LessonStep, best: dict[str, float], grades=()) -> int:
    """0 until the step is passed; then one star, and one more for each of the two top grade bands
    (scoring.yaml `grades`) its weakest buyer's best score reaches."""
    if not step_passed(step, best):
        return 0
    low = min(best.get(p, -1) for p in step.personas)
    tops = sorted((g.min for g in grades), reverse=True)[:2]
    return 1 + sum(low >= m for m in tops)


def lesson_status(lesson: Lesson, best: dict[str, float]) -> list[str]:
    """'passed', 'open' or 'locked' per step: a step opens when the one before is passed."""
    out, open_next = [], True
    for step in lesson.steps:
        if step_passed(step, best):
            out.append("passed")
        elif open_next:
            out.append("open")
            open_next = False
        else:
            out.append("locked")
    return out


def next_step(lessons, best: dict[str, float]) -> tuple[Lesson, int] | None:
    """(lesson, step index) to play next along the lesson path, or None when everything is passed."""
    for lesson in sorted(lessons, key=lambda l: (l.order, l.id)):
        for i, st in enumerate(lesson_status(lesson, best)):
            if st == "open":
                return lesson, i
    return None


_STEP_KEYS = {"persona": str, "shift": list, "pass": int, "title": str, "gap": float}


def load_lesson(path: Path, lib: Library) -> tuple[Report, Lesson | None]:
    report, d = _read(path)
    if d is None:
        return report, None
    sh = Shape(report)
    sh.keys(d, "the lesson", {"version": None, "id": str, "title": str, "order": int, "summary": str,
                              "steps": list}, required=("id", "title", "steps"))
    sh.version(d)
    lid = d.get("id")
    if isinstance(lid, str) and not ID_RE.match(lid):
        report.error(d.value_mark("id"), f"lesson id '{lid}' must be lower-case letters, digits, _ or -")
    steps = []
    sl = d.get("steps")
    if isinstance(sl, PosList):
        if not sl:
            report.error(d.value_mark("steps"), "a lesson needs at least one step")
        for i, st in enumerate(sl):
            where = f"step {i + 1}"
            if not sh.mapping(st, sl.item_mark(i), where):
                continue
            sh.keys(st, where, _STEP_KEYS, required=("pass",))
            if ("persona" in st) == ("shift" in st):
                report.error(st.mark, f"{where} needs either 'persona' or 'shift' (a list of personas), not both")
                continue
            ids: list[tuple[str, Mark]] = []
            if isinstance(st.get("persona"), str):
                ids.append((st["persona"], st.value_mark("persona")))
            shift = st.get("shift")
            if isinstance(shift, PosList):
                if len(shift) < 2:
                    report.error(st.value_mark("shift"), f"a shift in {where} needs at least 2 personas")
                ids.extend((str(p), shift.item_mark(j)) for j, p in enumerate(shift))
            for pid, mark in ids:
                if pid not in lib.personas:
                    broken = [r for r in lib.broken if Path(r.path).stem == pid]
                    if broken:
                        report.error(mark, f"persona '{pid}' has errors", f"see {broken[0].path}")
                    else:
                        report.error(mark, *unknown("persona", pid, lib.personas))
            mark = sh.number(st, "pass", where, lo=0, hi=100, default=60)
            gap = sh.number(st, "gap", where, lo=0, default=20.0)
            steps.append(LessonStep(tuple(p for p, _ in ids), int(mark), str(st.get("title", "")), float(gap)))
    if not report.ok:
        return report, None
    return report, Lesson(id=lid, title=d["title"], order=int(d.get("order", 99)), summary=str(d.get("summary", "")),
                          steps=tuple(steps), path=report.path)


def load_lessons(lib: Library) -> None:
    """Load scenarios/lessons/*.yaml into `lib.lessons`, after the personas."""
    for path in sorted((lib.root / "lessons").glob("*.yaml")):
        rep, lesson = load_lesson(path, lib)
        if lesson is not None and lesson.id in lib.lessons:
            rep.error(Mark(1, 1), f"duplicate lesson id '{lesson.id}'", f"also in {lib.lessons[lesson.id].path}")
            lesson = None
        if lesson is not None:
            lib.lessons[lesson.id] = lesson
        lib.reports.append(rep)
