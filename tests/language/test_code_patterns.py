"""The regexes the game's own code runs on a trainee's text pass the same check as content patterns
(issue 14): a pasted run of one character never costs more than quadratic time. A pattern in code
that failed it (the concrete-details pattern on 2,000 digits: 170 ms a turn) is how the last blow-up
of the fuzz run got in."""
import importlib
import pkgutil
import re

import game
from game.content import patterns
from game.scoring.cli import make_judge

# Patterns that fail the general check but are bounded otherwise, with the reason.
BOUNDED = {
    # (?P<a>.)不(?P=a): a back-reference to one character, so fixed width
    "scan": "A-not-A question of one character",
}
# FactRules' "<cue> then fillers at the end" patterns only ever see the 8 characters before a number.
BEFORE_A_NUMBER = re.compile(r"_before$")


def _module_patterns():
    for info in pkgutil.walk_packages(game.__path__, "game."):
        if ".ui" in info.name or info.name.endswith("__main__"):
            continue
        mod = importlib.import_module(info.name)
        for name, value in vars(mod).items():
            if isinstance(value, re.Pattern):
                yield f"{info.name}.{name}", name, value


def _object_patterns(obj, path, seen, depth=0):
    if id(obj) in seen or depth > 6:
        return
    seen.add(id(obj))
    if isinstance(obj, re.Pattern):
        yield path, path.rsplit(".", 1)[-1], obj
        return
    if isinstance(obj, dict):
        items = [(str(k), v) for k, v in obj.items()]
    elif isinstance(obj, (list, tuple)):
        items = [(str(i), v) for i, v in enumerate(obj)]
    elif type(obj).__module__.startswith("game."):
        items = list(vars(obj).items()) if hasattr(obj, "__dict__") else []
    else:
        return
    for k, v in items:
        yield from _object_patterns(v, f"{path}.{k}", seen, depth + 1)


def test_every_pattern_the_reader_and_judge_run_is_safe_on_long_runs(library, reader):
    judge = make_judge(library)
    found = list(_module_patterns())
    seen: set[int] = set()
    found += list(_object_patterns(reader, "reader", seen))
    found += list(_object_patterns(judge, "judge", seen))
    assert len(found) > 50  # the walk reaches the reader's and the scorer's patterns
    bad = []
    for where, name, rx in found:
        if name in BOUNDED or (".facts." in where and BEFORE_A_NUMBER.search(name)):
            continue
        why = patterns.problem(rx.pattern, rx.flags)
        if why:
            bad.append(f"{where}: {rx.pattern[:80]!r}: {why}")
    assert not bad, "\n".join(bad)


def test_details_of_a_reply_are_numbers_with_units_and_detail_words(library):
    from game.scoring.situations import concrete_details
    s = library.situations
    got = concrete_details("下午3点半前拍当天发,顺丰2天到,满199包邮", s.details, None, s.units)
    assert {"3点", "2天", "满199", "当天", "顺丰"} <= set(got)
    pasted = concrete_details("1" * 3000 + ",顺丰2天到", s.details, None, s.units)
    assert {"2天", "顺丰"} <= set(pasted)
