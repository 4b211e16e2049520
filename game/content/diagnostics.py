"""Problems found in content files, reported as `path:line:col: message` with the line quoted."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Mark:
    """A 1-based position in a file."""
    line: int
    col: int


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    col: int
    message: str
    severity: str = "error"  # "error" or "warning"
    hint: str = ""

    def format(self, source_lines: list[str] | None = None) -> str:
        head = f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"
        if self.hint:
            head += f"; {self.hint}"
        if source_lines and 1 <= self.line <= len(source_lines):
            text = source_lines[self.line - 1].rstrip("\n")
            gutter = f">>> {self.line} | "
            caret = " " * (len(gutter) - 2) + "| " + _caret_pad(text, self.col) + "^"
            return f"{head}\n{gutter}{text}\n{caret}"
        return head


def _caret_pad(text: str, col: int) -> str:
    # CJK characters take two terminal cells; keep the caret under the right character.
    pad = []
    for ch in text[: max(col - 1, 0)]:
        pad.append("\t" if ch == "\t" else ("  " if ord(ch) > 0x2E7F else " "))
    return "".join(pad)


@dataclass
class Report:
    """All problems of one file, collected rather than stopping at the first."""
    path: str
    source: str = ""
    problems: list[Problem] = field(default_factory=list)

    def error(self, mark: Mark | None, message: str, hint: str = "") -> None:
        m = mark or Mark(1, 1)
        self.problems.append(Problem(self.path, m.line, m.col, message, "error", hint))

    def warning(self, mark: Mark | None, message: str, hint: str = "") -> None:
        m = mark or Mark(1, 1)
        self.problems.append(Problem(self.path, m.line, m.col, message, "warning", hint))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def format(self) -> str:
        lines = self.source.splitlines()
        ordered = sorted(self.problems, key=lambda p: (p.line, p.col))
        return "\n".join(p.format(lines) for p in ordered)


_MANY = 200  # beyond this many options, only the likeliest are compared (a file of 2,000 misspelt names)


def did_you_mean(name: str, options) -> str:
    name = str(name)
    opts = [str(o) for o in options]
    if len(opts) > _MANY:  # bounded: same length give or take two, sharing the first or last letter
        n = len(name)
        opts = [o for o in opts if abs(len(o) - n) <= 2 and o and name and (o[0] == name[0] or o[-1] == name[-1])]
        opts = opts[:_MANY]
    close = difflib.get_close_matches(name, opts, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def unknown(kind: str, name, options) -> tuple[str, str]:
    """Message and hint for an unknown name; the hint names the nearest valid one."""
    hint = did_you_mean(name, options)
    if not hint:
        opts = sorted(str(o) for o in options)
        hint = ("known: " + ", ".join(opts[:12]) + (" …" if len(opts) > 12 else "")) if opts else ""
    return f"unknown {kind} '{name}'", hint


def rel(path: Path | str) -> str:
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
