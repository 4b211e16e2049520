"""Test files that sit beside personas (`<persona>.test.yaml`): scripted chats with expectations."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from game.engine.script import ScriptError, Step, parse_script

from .diagnostics import Mark, Report, unknown
from .loader import Library, _read
from .model import ENDINGS
from .schema import Shape
from .yamlpos import PosDict, PosList

_CASE_KEYS = {"name": str, "seed": int, "script": str, "expect": dict, "note": str}
_EXPECT_KEYS = {"outcome": (str, list), "state": str, "flags": list, "no_flags": list, "min_mood": float,
                "max_mood": float, "min_total": float, "max_total": float}


@dataclass(frozen=True)
class Expect:
    outcomes: tuple[str, ...] = ()
    state: str | None = None
    flags: tuple[str, ...] = ()
    no_flags: tuple[str, ...] = ()
    min_mood: float | None = None
    max_mood: float | None = None
    min_total: float | None = None  # the chat report's total (scoring)
    max_total: float | None = None


@dataclass(frozen=True)
class TestCase:
    name: str
    seed: int
    steps: tuple[Step, ...]
    expect: Expect
    line: int


@dataclass(frozen=True)
class TestFile:
    path: str
    persona: str
    cases: tuple[TestCase, ...]


def test_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.test.yaml"))


def load_tests(path: Path, lib: Library) -> tuple[Report, TestFile | None]:
    report, d = _read(path)
    if d is None:
        return report, None
    sh = Shape(report)
    sh.keys(d, "the test file", {"version": None, "persona": str, "cases": list}, required=("persona", "cases"))
    sh.version(d)
    pid = d.get("persona")
    persona = None
    if isinstance(pid, str):
        persona = lib.personas.get(pid)
        if persona is None:
            broken = [r for r in lib.broken if Path(r.path).stem == pid]
            if broken:
                report.error(d.value_mark("persona"), f"persona '{pid}' has errors", f"see {broken[0].path}")
            else:
                report.error(d.value_mark("persona"), *unknown("persona", pid, lib.personas))
    cases = []
    clist = d.get("cases")
    names = set()
    if isinstance(clist, PosList):
        for i, c in enumerate(clist):
            where = f"case {i + 1}"
            if not sh.mapping(c, clist.item_mark(i), where):
                continue
            sh.keys(c, where, _CASE_KEYS, required=("name", "script", "expect"))
            name = str(c.get("name", f"case{i + 1}"))
            if name in names:
                report.error(c.value_mark("name"), f"duplicate case name '{name}'")
            names.add(name)
            steps: tuple[Step, ...] = ()
            if isinstance(c.get("script"), str):
                m = c.value_mark("script")
                # A block scalar (`script: |`) starts on the line after its indicator.
                first = m.line + 1 if c["script"].count("\n") and _is_block(report, m) else m.line
                try:
                    steps = tuple(parse_script(c["script"], first_line=first))
                except ScriptError as exc:
                    report.error(Mark(exc.line, 1), f"bad script in {where}: {exc.message}")
            expect = Expect()
            e = c.get("expect")
            if isinstance(e, PosDict):
                sh.keys(e, f"'expect' of {where}", _EXPECT_KEYS)
                outs = e.get("outcome", ())
                outs = (outs,) if isinstance(outs, str) else tuple(str(o) for o in outs or ())
                for o in outs:
                    if o not in ENDINGS:
                        report.error(e.value_mark("outcome"), *unknown("outcome", o, ENDINGS))
                state = e.get("state")
                if isinstance(state, str) and persona is not None and state not in persona.states:
                    report.error(e.value_mark("state"), *unknown("state", state, persona.states))
                expect = Expect(outs, state if isinstance(state, str) else None,
                                sh.text_list(e, "flags", "'expect'"), sh.text_list(e, "no_flags", "'expect'"),
                                sh.number(e, "min_mood", "'expect'", lo=0, hi=100),
                                sh.number(e, "max_mood", "'expect'", lo=0, hi=100),
                                sh.number(e, "min_total", "'expect'", lo=0, hi=100),
                                sh.number(e, "max_total", "'expect'", lo=0, hi=100))
            seed = c.get("seed", 0)
            cases.append(TestCase(name, seed if isinstance(seed, int) else 0, steps, expect, clist.item_mark(i).line))
    if not report.ok or persona is None:
        return report, None
    return report, TestFile(report.path, persona.id, tuple(cases))


def _is_block(report: Report, m: Mark) -> bool:
    lines = report.source.splitlines()
    return 1 <= m.line <= len(lines) and lines[m.line - 1][m.col - 1:m.col] in ("|", ">")


def check_case(result, expect: Expect, total: float | None = None) -> list[str]:
    """What went differently from the expectation (empty: the case passed). `total`: the chat report's."""
    c = result.conversation
    fails = []
    if expect.outcomes and c.outcome not in expect.outcomes:
        fails.append(f"outcome {c.outcome or 'unfinished'} (state {c.state}), expected {'/'.join(expect.outcomes)}")
    if expect.state and c.state != expect.state:
        fails.append(f"ended in state {c.state}, expected {expect.state}")
    for f in expect.flags:
        if f not in c.flags:
            fails.append(f"flag '{f}' was not raised")
    for f in expect.no_flags:
        if f in c.flags:
            fails.append(f"flag '{f}' was raised")
    if expect.min_mood is not None and c.mood < expect.min_mood:
        fails.append(f"mood {c.mood:.0f} below {expect.min_mood:.0f}")
    if expect.max_mood is not None and c.mood > expect.max_mood:
        fails.append(f"mood {c.mood:.0f} above {expect.max_mood:.0f}")
    if (expect.min_total is not None or expect.max_total is not None) and total is None:
        fails.append("no chat report total (the scoring rules did not load)")
    elif expect.min_total is not None and total < expect.min_total:
        fails.append(f"total {total:.0f} below {expect.min_total:.0f}")
    elif expect.max_total is not None and total > expect.max_total:
        fails.append(f"total {total:.0f} above {expect.max_total:.0f}")
    return fails
