"""Safe YAML loading that remembers where every key and value stood.

Only plain data comes out (dict/list/str/int/float/bool/None). `on/off/yes/no` stay strings:
an intent or state called `no` must not turn into False. Duplicate keys are reported instead of
silently overwritten.
"""
from __future__ import annotations

import re

import yaml

from .diagnostics import Mark, Report


class PosDict(dict):
    """A mapping that knows the position of each key and each value."""
    __slots__ = ("mark", "key_marks", "value_marks")

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.mark = Mark(1, 1)
        self.key_marks: dict = {}
        self.value_marks: dict = {}

    def key_mark(self, key) -> Mark:
        return self.key_marks.get(key, self.mark)

    def value_mark(self, key) -> Mark:
        return self.value_marks.get(key, self.key_mark(key))


class PosList(list):
    __slots__ = ("mark", "item_marks")

    def __init__(self, *a):
        super().__init__(*a)
        self.mark = Mark(1, 1)
        self.item_marks: list[Mark] = []

    def item_mark(self, i: int) -> Mark:
        return self.item_marks[i] if 0 <= i < len(self.item_marks) else self.mark


def _mark(node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


# libyaml's parser is about ten times faster; positions and error marks are the same.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """SafeLoader whose booleans are only true/false (YAML 1.2 style)."""


# Rebuild the implicit resolvers without the YAML 1.1 yes/no/on/off booleans.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
for _first in "tTfF":
    _Loader.yaml_implicit_resolvers.setdefault(_first, []).insert(0, ("tag:yaml.org,2002:bool", _BOOL))


_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


# Aliases let a tiny file expand into billions of nodes ("billion laughs") or refer to itself;
# content files are small, so a generous cap on nodes and depth costs authors nothing.
MAX_NODES = 200_000
MAX_DEPTH = 64
MAX_BYTES = 5_000_000  # the biggest shipped file is a tenth of this
MAX_NUMBER_CHARS = 30  # a price, a day count or a mood needs far fewer digits

_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_SHORT_TAG = {"tag:yaml.org,2002:int": "an integer", "tag:yaml.org,2002:float": "a number",
              "tag:yaml.org,2002:bool": "true/false", "tag:yaml.org,2002:timestamp": "a date",
              "tag:yaml.org,2002:null": "null"}


class _TooBig(Exception):
    def __init__(self, node, why: str):
        self.node = node
        self.why = why


class _Builder:
    def __init__(self, report: Report):
        self.report = report
        self.constructor = _Loader("")  # only used for scalar construction
        self.count = 0
        self.depth = 0
        self.open: set[int] = set()  # nodes being built: meeting one again is a self-reference

    def build(self, node):
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(node, f"the file expands to more than {MAX_NODES} values (too many aliases?)")
        if id(node) in self.open:
            raise _TooBig(node, "an alias refers to the mapping or list that contains it")
        if self.depth >= MAX_DEPTH:
            raise _TooBig(node, f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            self.open.add(id(node))
            self.depth += 1
            try:
                return self._build(node)
            finally:
                self.depth -= 1
                self.open.discard(id(node))
        return self._build(node)

    def _build(self, node):
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
            self.report.error(_mark(node), f"YAML: the tag '{node.tag}' is not allowed",
                              "only plain data is allowed (no tags)")
            return None
        if isinstance(node, yaml.MappingNode):
            out = PosDict()
            out.mark = _mark(node)
            try:
                self.constructor.flatten_mapping(node)  # `<<:` merges
            except yaml.constructor.ConstructorError as exc:
                m = exc.problem_mark
                self.report.error(Mark(m.line + 1, m.column + 1) if m else _mark(node), f"YAML: {exc.problem}",
                                  "a merge (<<:) takes a mapping or a list of mappings")
                return None
            for knode, vnode in node.value:
                key = self.build(knode)
                if isinstance(key, (dict, list)):
                    self.report.error(_mark(knode), "a key must be a plain name, not a mapping or list")
                    continue
                if key in out:
                    first = out.key_marks[key]
                    self.report.error(_mark(knode), f"duplicate key '{key}'",
                                      f"first defined at line {first.line}")
                    continue
                out[key] = self.build(vnode)
                out.key_marks[key] = _mark(knode)
                out.value_marks[key] = _mark(vnode)
            return out
        if isinstance(node, yaml.SequenceNode):
            out = PosList()
            out.mark = _mark(node)
            for item in node.value:
                out.append(self.build(item))
                out.item_marks.append(_mark(item))
            return out
        if node.tag in _NUMBER_TAGS and len(str(node.value)) > MAX_NUMBER_CHARS:
            self.report.error(_mark(node), f"YAML: a number of {len(str(node.value))} characters is too long",
                              f"numbers here need at most {MAX_NUMBER_CHARS} characters")
            return None
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self.report.error(_mark(node), f"YAML: {exc.problem}", "only plain data is allowed (no tags)")
            return None
        except (ValueError, KeyError, IndexError, AttributeError, TypeError, OverflowError):
            # `!!int "abc"`, `2024-02-30`, `!!bool "maybe"`: the text cannot be what its tag says
            what = _SHORT_TAG.get(node.tag, node.tag)
            self.report.error(_mark(node), f"YAML: '{str(node.value)[:40]}' cannot be read as {what}",
                              "write a valid value, or quote it to keep it as text")
            return None

        if not isinstance(value, (str, int, float, bool, type(None))):
            # Timestamps, binary and the like: keep the text the author wrote.
            value = node.value
        return value


def _prescan(text: str) -> tuple[Mark, str] | None:
    """Limits checked before the parser runs: libyaml itself crashes on tens of thousands of nested
    brackets, so a file nesting far deeper than MAX_DEPTH is refused unread."""
    if len(text) > MAX_BYTES:
        return Mark(1, 1), f"the file is {len(text) // 1000} KB; content files are at most {MAX_BYTES // 1_000_000} MB"
    depth, line, col, quote = 0, 1, 0, ""
    limit = MAX_DEPTH * 4
    for ch in text:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
            continue
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'" and depth:
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return Mark(line, col), f"brackets nest more than {limit} deep"
        elif ch in "]}" and depth:
            depth -= 1
    return None


def _expanded_size(root) -> int | None:
    """How many values the document expands to, counting each alias (and merge) as often as it is
    used, without expanding anything; None when it exceeds MAX_NODES (a merge or alias bomb)."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()  # on the current path: an alias back to one is a loop the builder reports
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        kids = []
        if isinstance(node, yaml.MappingNode):
            kids = [n for kv in node.value for n in kv]
        elif isinstance(node, yaml.SequenceNode):
            kids = list(node.value)
        if not done:
            if id(node) in open_:
                continue
            open_.add(id(node))
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in sizes and id(k) not in open_)
            continue
        open_.discard(id(node))
        total = 1 + sum(sizes.get(id(k), 1) for k in kids)
        sizes[id(node)] = min(total, MAX_NODES + 1)
    n = sizes.get(id(root), 1)
    return None if n > MAX_NODES else n


# an alias token ("*name") where a value may start; a false hit only costs the full count
_ALIAS = re.compile(r"(?:^|[\s\[{,:?-])\*[^\s,\[\]{}]", re.M)

_HALF = {"：": ":", "，": ",", "【": "[", "】": "]", "｛": "{", "｝": "}", "－": "-", "＃": "#", "“": '"', "”": '"'}


def _mark_at(text: str, index: int) -> Mark:
    before = text[:index]
    return Mark(before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1)


def _full_width_near(text: str, mark: Mark) -> tuple[Mark, str] | None:
    """A full-width ：，【】 outside quotes on the error's line or the one before it."""
    lines = text.splitlines()
    for ln in (mark.line, mark.line - 1):
        if not 1 <= ln <= len(lines):
            continue
        quote = ""
        for i, ch in enumerate(lines[ln - 1]):
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "\"'":
                quote = ch
            elif ch == "#":
                break
            elif ch in ("：", "【", "】", "｛", "｝"):
                return Mark(ln, i + 1), ch
    return None


def load(text: str, report: Report):
    """Parse one YAML document; syntax errors go to `report` and give None."""
    bad = _prescan(text)
    if bad is not None:
        report.error(bad[0], f"YAML: {bad[1]}", "content files are small and shallow; is this the right file?")
        return None
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        m = exc.problem_mark or exc.context_mark
        mark = Mark(m.line + 1, m.column + 1) if m else Mark(1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        if m is not None and m.line == 0 and m.column == 0 and getattr(m, "index", 0):
            mark = _mark_at(text, m.index)  # the reader reports some errors by position only
        wide = _full_width_near(text, mark)
        if wide:  # typed with a Chinese input method: 'greet：' instead of 'greet:'
            report.error(wide[0], f"YAML syntax: full-width '{wide[1]}' where YAML needs '{_HALF[wide[1]]}'",
                         f"switch the input method to English punctuation and type '{_HALF[wide[1]]}'")
            return None
        if exc.problem and exc.context and exc.context_mark is not None:
            what += f" ({exc.context} at line {exc.context_mark.line + 1})"
        report.error(mark, f"YAML syntax: {what}",
                     "check indentation, colons and quotes; quote text that starts with a special character")
        return None
    except yaml.reader.ReaderError as exc:  # a control character or a bad byte, by position
        pos = getattr(exc, "position", 0) or 0
        ch = exc.character
        what = f"U+{ch:04X}" if isinstance(ch, int) else repr(ch)
        report.error(_mark_at(text, pos), f"YAML: a control character ({what}) is not allowed in a content file",
                     "delete it (it is invisible in most editors)")
        return None
    except yaml.YAMLError as exc:
        report.error(Mark(1, 1), f"YAML syntax: {exc}")
        return None
    except RecursionError:
        report.error(Mark(1, 1), "YAML: the file nests too deeply to read")
        return None
    if node is None:
        return None
    # without an alias or a merge key nothing expands: the node count is bounded by the file's size
    if (_ALIAS.search(text) or "<<" in text) and _expanded_size(node) is None:
        report.error(_mark(node), f"YAML: the file expands to more than {MAX_NODES} values (too many aliases "
                     "or merges?)", "write the values out instead of nesting aliases")
        return None
    try:
        return _Builder(report).build(node)
    except _TooBig as exc:
        report.error(_mark(exc.node), f"YAML: {exc.why}", "write the values out instead of nesting aliases")
        return None
