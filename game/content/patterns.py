"""Which content patterns may run on a trainee's pasted text.

Python's `re` backtracks, so a pattern such as `(\\d+)+x` or `.*.*x` costs exponential or cubic time
on a long run of one character. The loader rejects such patterns before they run (issue 14): no
back-references, no unbounded repeat inside another repeat, no alternation an unbounded repeat can
take two ways, and at most quadratic work on a run of any single character. The check reads the
parse tree of `re` itself, so it judges exactly what will run.
"""
from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import os
import re
import sys
import threading
from pathlib import Path

try:  # Python 3.11+
    from re import _constants as C
    from re import _parser as P
except ImportError:  # pragma: no cover - older layout
    import sre_constants as C  # type: ignore
    import sre_parse as P  # type: ignore

UNBOUNDED = 50  # a repeat allowing more than this many rounds counts as unbounded
MAX_DEGREE = 2  # work on a run of n equal characters may grow as n**2, never n**3

_CATEGORY = {C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
             C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W"}
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT} | ({C.POSSESSIVE_REPEAT} if hasattr(C, "POSSESSIVE_REPEAT") else set())
_ZERO_WIDTH = {C.AT, C.ASSERT, C.ASSERT_NOT}
_PROBES = " \t\n\u3000aZ_05９.,!?~，。中好\x00é"


log = logging.getLogger(__name__)


class UnsafePattern(ValueError):
    """A pattern that can take more than quadratic time on some input."""


_VERDICTS: dict[tuple[str, int], Exception | None] = {}  # a pure function of its input: judged once a process


def check(src: str, flags: int = 0) -> None:
    """Raise re.error if `src` does not compile, UnsafePattern if it may blow up."""
    key = (src, flags)
    if key not in _VERDICTS:
        if _SAVED.known_safe(key):
            _VERDICTS[key] = None
        else:
            try:
                _check(src, flags)
                _VERDICTS[key] = None
                _SAVED.add(key)
            except (re.error, UnsafePattern, RecursionError) as exc:
                _VERDICTS[key] = exc
    exc = _VERDICTS[key]
    if exc is not None:
        raise exc.with_traceback(None)


class _SavedVerdicts:
    """The patterns this very checker judged safe, kept on disk between processes (the analysis of
    the shipped content costs about 0.6 s; reading the list, a few milliseconds).

    The file only ever says "this exact (pattern, flags) was judged safe by this exact checker":
    it is named and stamped by a digest of this module's source and of the Python running it, its
    keys are whole patterns, and a pattern it does not list is judged again. Refused patterns are
    never written (they are judged each time, with their own messages). A damaged or unreadable
    file counts as empty; a folder that cannot be written is logged and left alone. Nothing is read
    or written while the model cache is off (``learned.no_disk_cache``).
    """

    FLUSH_EVERY = 64  # new verdicts kept in memory before the file is rewritten (the rest at exit)

    def __init__(self):
        self._lock = threading.RLock()
        self._folder: Path | None = None  # the folder `_safe` was read from
        self._safe: set[tuple[str, int]] = set()
        self._pending: set[tuple[str, int]] = set()  # judged safe here, not yet in the file
        self._stamp: str | None = None
        self._atexit = False

    # -- where
    def stamp(self) -> str:
        """sha256 of this checker (this file's source) and of the Python whose `re` it reads."""
        if self._stamp is None:
            h = hashlib.sha256(b"kefusim pattern verdicts 1\n")
            h.update(f"{sys.version}|{sys.implementation.cache_tag}|{sys.hexversion}\n".encode())
            h.update(Path(__file__).read_bytes())
            self._stamp = h.hexdigest()
        return self._stamp

    @staticmethod
    def _current_folder() -> Path | None:
        from game.language import learned  # the models' cache folder and its off switch

        if getattr(learned._persist, "off", False):
            return None
        return learned.cache_dir()

    def path(self, folder: Path) -> Path:
        return folder / f"pattern-verdicts-{self.stamp()[:24]}.json"

    # -- read
    def known_safe(self, key: tuple[str, int]) -> bool:
        try:
            with self._lock:
                self._switch(self._current_folder())
                return key in self._safe
        except Exception as exc:  # no source to stamp, no cache folder...: judge it here
            log.debug("pattern verdict cache unavailable: %s", exc)
            return False

    def _switch(self, folder: Path | None) -> None:
        if folder == self._folder:
            return
        self.flush()
        self._folder, self._safe = folder, (self._read(folder) if folder is not None else set())

    def _read(self, folder: Path) -> set[tuple[str, int]]:
        path = self.path(folder)
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            return set()
        except Exception as exc:  # unreadable, not JSON, nested too deep...
            log.warning("pattern verdict cache %s unreadable (%s); judging again", path, exc)
            return set()
        if not (isinstance(data, dict) and data.get("checker") == self.stamp() and isinstance(data.get("safe"), list)):
            log.warning("pattern verdict cache %s is not this checker's; judging again", path)
            return set()
        return {(s, f) for s, f in (e for e in data["safe"] if isinstance(e, list) and len(e) == 2)
                if type(s) is str and type(f) is int}

    # -- write
    def add(self, key: tuple[str, int]) -> None:
        try:
            with self._lock:
                if self._folder is None:
                    return
                self._pending.add(key)
                if not self._atexit:
                    atexit.register(self.flush)
                    self._atexit = True
                if len(self._pending) >= self.FLUSH_EVERY:
                    self.flush()
        except Exception as exc:  # never let the cache stop a load
            log.warning("pattern verdict not kept: %s", exc)

    def flush(self) -> None:
        """Write the verdicts judged here since the last write (with those already in the file)."""
        with self._lock:
            pending, self._pending = self._pending, set()
            if not pending or self._folder is None:
                return
            tmp = None
            try:
                path = self.path(self._folder)
                safe = self._read(self._folder) | self._safe | pending  # another process may have added some
                text = json.dumps({"checker": self.stamp(), "safe": sorted([s, f] for s, f in safe)})
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
                tmp.write_text(text, encoding="ascii")
                os.replace(tmp, path)
                self._safe = safe
            except Exception as exc:  # a read-only or full disk: judged again next time
                log.warning("pattern verdict cache not written to %s: %s", self._folder, exc)
                if tmp is not None:
                    with contextlib.suppress(OSError):
                        tmp.unlink()

    def forget(self) -> None:
        """Drop what was read from disk (the next check reads the file again), unsaved verdicts too."""
        with self._lock:
            self._folder, self._safe, self._pending = None, set(), set()


_SAVED = _SavedVerdicts()
save_verdicts = _SAVED.flush


def _check(src: str, flags: int) -> None:
    compiled = re.compile(src, flags)
    tree = P.parse(src, compiled.flags)
    probes = set(_PROBES) | _literals(tree)
    ic = bool(compiled.flags & re.IGNORECASE)
    dotall = bool(compiled.flags & re.DOTALL)
    _structure(tree, inside_repeat=False)
    anchored = _anchored(tree, compiled.flags)
    for c in probes:
        deg = _Degree(c, ic, dotall)
        d = deg.seq_best(list(tree), start_counts=not anchored, many_starts=not anchored)
        if d > MAX_DEGREE:
            shown = repr(c) if c.isprintable() and not c.isspace() else f"U+{ord(c):04X}"
            raise UnsafePattern(f"on a long run of {shown} its work grows as n^{d}: too many unbounded repeats "
                                f"(+, *, {{n,}}) can take the same characters")


def problem(src: str, flags: int = 0) -> str | None:
    """Why `src` cannot be used as a content pattern, or None."""
    try:
        check(src, flags)
    except re.error as exc:
        return exc.msg
    except UnsafePattern as exc:
        return str(exc)
    except RecursionError:
        return "the pattern is nested too deeply"
    return None


HINT = ("write a bounded repeat such as {0,20} instead of * or +, and do not put a repeat inside a repeat; "
        "patterns run on whatever a trainee pastes")


def _literals(tree) -> set[str]:
    out: set[str] = set()
    for op, av in tree:
        if op in (C.LITERAL, C.NOT_LITERAL):
            out.add(chr(av))
        elif op == C.IN:
            for iop, iav in av:
                if iop == C.LITERAL:
                    out.add(chr(iav))
                elif iop == C.RANGE:
                    out.update((chr(iav[0]), chr(iav[1])))
        for sub in _children(op, av):
            out |= _literals(sub)
    return out


def _children(op, av) -> list:
    if op in _REPEATS:
        return [av[2]]
    if op == C.SUBPATTERN:
        return [av[-1]]
    if op == C.BRANCH:
        return list(av[1])
    if op in (C.ASSERT, C.ASSERT_NOT):
        return [av[1]]
    if op == getattr(C, "ATOMIC_GROUP", None):
        return [av]
    if op == C.GROUPREF_EXISTS:
        return [x for x in av[1:] if x is not None]
    return []


def _max_width(sub) -> int:
    return sub.getwidth()[1] if hasattr(sub, "getwidth") else 0


def _has_unbounded(sub) -> bool:
    for op, av in sub:
        if op in _REPEATS and av[1] > UNBOUNDED:
            return True
        if any(_has_unbounded(s) for s in _children(op, av)):
            return True
    return False


def _structure(tree, inside_repeat: bool) -> None:
    """Back-references and nested repeats: exponential whatever the input length cap."""
    for op, av in tree:
        if op in (C.GROUPREF, C.GROUPREF_EXISTS):
            raise UnsafePattern("back-references (\\1, (?P=name), (?(1)…)) are not allowed")
        if op in _REPEATS:
            lo, hi, body = av
            if hi > 1 and _has_unbounded(body):
                raise UnsafePattern("an unbounded repeat (+, *, {n,}) inside another repeat")
            if hi > UNBOUNDED:
                _ambiguous_branches(body)
                _ambiguous_widths(body)
            _structure(body, inside_repeat or hi > 1)
            continue
        for sub in _children(op, av):
            _structure(sub, inside_repeat)


def _ambiguous_branches(body) -> None:
    """`(a|aa)*` or `(\\d|\\d\\d)+`: two alternatives starting alike let the repeat split a run many ways."""
    for op, av in body:
        if op == C.BRANCH:
            firsts = [_first_items(b) for b in av[1]]
            for c in set(_PROBES) | _literals(body):
                hits = sum(1 for f in firsts if _Degree(c, False, False).item_takes(f))
                if hits > 1:
                    raise UnsafePattern("an unbounded repeat over alternatives that can start with the same "
                                        "character; merge them into one character class")
        for sub in _children(op, av):
            if op not in (C.ASSERT, C.ASSERT_NOT):
                _ambiguous_branches(sub)


def _ambiguous_widths(body) -> None:
    """`(\\d|\\d\\d)+` or `(.{0,20})*`: a body that can take a run of one character in pieces of
    different lengths splits a long run in exponentially many ways."""
    for c in set(_PROBES) | _literals(body):
        deg = _Degree(c, False, False)
        if deg.pure(body):
            lo, hi = deg.width(list(body))
            if lo != hi:
                shown = repr(c) if c.isprintable() and not c.isspace() else f"U+{ord(c):04X}"
                raise UnsafePattern(f"an unbounded repeat over a part of varying length that can match runs of {shown}")


def _first_items(sub):
    for op, av in sub:
        if op in _ZERO_WIDTH:
            continue
        return (op, av)
    return None


def _anchored(tree, flags: int) -> bool:
    for op, av in tree:
        if op == C.AT:
            return av in (C.AT_BEGINNING_STRING,) or (av == C.AT_BEGINNING and not flags & re.MULTILINE)
        if op in (C.ASSERT, C.ASSERT_NOT):
            continue
        return False
    return False


class _Degree:
    """How many unbounded repeats can share a run of the one character `c` (each adds a factor n)."""

    def __init__(self, c: str, ignorecase: bool, dotall: bool):
        self.c = c
        self.ic = ignorecase
        self.dotall = dotall

    def _eq(self, code: int) -> bool:
        ch = chr(code)
        return ch == self.c or (self.ic and ch.lower() == self.c.lower())

    def _in(self, items) -> bool:
        negate = False
        hit = False
        for op, av in items:
            if op == C.NEGATE:
                negate = True
            elif op == C.LITERAL:
                hit = hit or self._eq(av)
            elif op == C.RANGE:
                lo, hi = av
                hit = hit or lo <= ord(self.c) <= hi or (self.ic and (lo <= ord(self.c.lower()) <= hi
                                                                     or lo <= ord(self.c.upper()) <= hi))
            elif op == C.CATEGORY:
                pat = _CATEGORY.get(av)
                hit = hit or (pat is not None and re.fullmatch(pat, self.c) is not None)
            else:  # unknown set member: assume it matches
                hit = True
        return hit != negate

    def item_takes(self, item) -> bool:
        """Can this single item consume the character c?"""
        if item is None:
            return False
        op, av = item
        if op == C.LITERAL:
            return self._eq(av)
        if op == C.NOT_LITERAL:
            return not self._eq(av)
        if op == C.ANY:
            return self.dotall or self.c != "\n"
        if op == C.IN:
            return self._in(av)
        if op in _REPEATS:
            return self.pure(av[2])
        if op == C.SUBPATTERN:
            return self.pure(av[-1])
        if op == C.BRANCH:
            return any(self.pure(b) for b in av[1])
        return False

    def pure(self, sub) -> bool:
        """Can `sub` match a non-empty run made only of c?"""
        any_takes = False
        for op, av in sub:
            if op in _ZERO_WIDTH:
                continue
            takes = self.item_takes((op, av))
            if not takes and not _nullable(op, av):
                return False
            any_takes = any_takes or takes
        return any_takes

    def width(self, items) -> tuple[int, int]:
        """The lengths a run of c can have when `items` match only c (items that cannot take c match empty)."""
        lo = hi = 0
        for op, av in items:
            if op in _ZERO_WIDTH or not self.item_takes((op, av)):
                continue
            if op in _REPEATS:
                ilo, ihi = self.width(list(av[2]))
                lo, hi = lo + av[0] * ilo, hi + min(av[1], UNBOUNDED + 1) * ihi
            elif op == C.SUBPATTERN:
                ilo, ihi = self.width(list(av[-1]))
                lo, hi = lo + ilo, hi + ihi
            elif op == C.BRANCH:
                ws = [self.width(list(b)) if self.pure(b) else (0, 0) for b in av[1]
                      if self.pure(b) or _seq_nullable(b)]
                lo, hi = lo + min(w[0] for w in ws), hi + max(w[1] for w in ws)
            else:
                lo, hi = lo + 1, hi + 1
        return lo, hi

    def count(self, op, av) -> int:
        """Unbounded repeats one item can spread over a run of c (when it matches inside that run)."""
        if op in _REPEATS:
            lo, hi, body = av
            inner = self.seq_count(list(body))
            return inner + (1 if hi > UNBOUNDED and self.pure(body) else 0)
        if op == C.SUBPATTERN:
            return self.seq_count(list(av[-1]))
        if op == C.BRANCH:
            return max((self.seq_count(list(b)) for b in av[1] if self.pure(b)), default=0)
        return 0

    def seq_count(self, items) -> int:
        if not self.pure(items):
            return 0
        return sum(self.count(op, av) for op, av in items)

    def seq_best(self, items, start_counts: bool, many_starts: bool) -> int:
        """The most repeats (plus one for a free start position) sharing one run of c anywhere in `items`."""
        best = 0
        run = 0
        lead = start_counts  # still reachable from the pattern's start through nullable items only
        prefix_unbounded = False
        for op, av in items:
            if op in _ZERO_WIDTH:
                continue
            takes = self.item_takes((op, av))
            if takes:
                run += self.count(op, av)
            elif _nullable(op, av):
                pass
            else:
                best = max(best, run + (1 if lead or prefix_unbounded else 0))
                run = 0
                lead = False
            if not takes and op in _REPEATS and av[1] > UNBOUNDED and many_starts:
                prefix_unbounded = True
            for sub in _children(op, av):
                if op not in (C.ASSERT, C.ASSERT_NOT):
                    best = max(best, self.seq_best(list(sub), start_counts=False, many_starts=many_starts))
        return max(best, run + (1 if lead or prefix_unbounded else 0))


def _nullable(op, av) -> bool:
    if op in _ZERO_WIDTH:
        return True
    if op in _REPEATS:
        return av[0] == 0 or _seq_nullable(av[2])
    if op == C.SUBPATTERN:
        return _seq_nullable(av[-1])
    if op == C.BRANCH:
        return any(_seq_nullable(b) for b in av[1])
    return False


def _seq_nullable(sub) -> bool:
    return all(_nullable(op, av) for op, av in sub)


# Quadratic is fine on a chat line, not on a pasted essay: content patterns see at most WINDOW
# characters at a time. Windows overlap so a phrase across a boundary is still found once.
WINDOW = 500
OVERLAP = 100


def finditer(rx: re.Pattern[str], text: str):
    """rx.finditer over `text`, window by window (spans are positions in the whole text)."""
    n = len(text)
    if n <= WINDOW:
        yield from rx.finditer(text)
        return
    seen: set[tuple[int, int]] = set()
    pos = 0
    while True:
        end = min(n, pos + WINDOW)
        for m in rx.finditer(text, pos, end):
            if end < n and m.end() == end:
                continue  # may be cut short by the window; the next one sees it whole
            if m.span() not in seen:
                seen.add(m.span())
                yield m
        if end == n:
            return
        pos = end - OVERLAP


def search(rx: re.Pattern[str], text: str):
    return next(finditer(rx, text), None)
