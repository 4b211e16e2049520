"""`validate`: check content files one by one against the loaded library."""
from __future__ import annotations

from pathlib import Path

from .diagnostics import Report
from .loader import (Library, add_persona, load_buyer_defaults, load_diagnosis, load_intents, load_quick_phrases,
                     load_reader_rules, load_shop)
from .testcases import load_tests, test_files


def kind_of(path: Path) -> str:
    if path.name.endswith(".test.yaml"):
        return "test"
    if path.parent.name == "shops":
        return "shop"
    if path.parent.name == "lessons":
        return "lesson"
    if path.parent.name == "rules" and path.name == "intents.yaml":
        return "intents"
    if path.parent.name == "rules" and path.name == "buyer.yaml":
        return "buyer"
    if path.parent.name == "rules" and path.name == "reader.yaml":
        return "reader"
    if path.parent.name == "rules" and path.name == "quick_phrases.yaml":
        return "quick_phrases"
    if path.parent.name == "rules" and path.name == "diagnosis.yaml":
        return "diagnosis"
    if path.parent.name == "rules" and (path.name == "scoring.yaml" or path.name.startswith("rubric")):
        return "rubric"
    return "persona"


def check_file(lib: Library, path: Path) -> Report:
    kind = kind_of(path)
    if kind == "test":
        return load_tests(path, lib)[0]
    if kind == "shop":
        return load_shop(path)[0]
    if kind == "lesson":
        from .lessons import load_lesson
        return load_lesson(path, lib)[0]
    if kind == "intents":
        return load_intents(path)[0]
    if kind == "buyer":
        return load_buyer_defaults(path)[0]
    if kind == "reader":
        return load_reader_rules(path)[0]
    if kind == "quick_phrases":
        return load_quick_phrases(path)[0]
    if kind == "diagnosis":
        return load_diagnosis(path, lib.intent_names, lib.rubric)[0]
    if kind == "rubric":
        from game.scoring.rubric import check_file as check_rubric
        return check_rubric(path, lib.intent_names if lib.intents else None)
    # A persona already loaded from the content folder is checked again on its own.
    for pid in [pid for pid, p in lib.personas.items() if Path(p.path).resolve() == path.resolve()]:
        del lib.personas[pid]
    return add_persona(lib, path)


def check_all(lib: Library) -> list[Report]:
    """Every report of the library, plus the persona test files beside the personas."""
    return list(lib.reports) + [load_tests(tf, lib)[0] for tf in test_files(lib.root / "personas")]


def expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            # Templates are not content: new-persona fills them in.
            files.extend(f for f in sorted(p.rglob("*.yaml")) if "templates" not in f.parts)
        elif p.exists():
            files.append(p)
        else:
            raise FileNotFoundError(str(p))
    return files
