"""Every broken persona in tests/fixtures/broken names the line marked `# <- error` and says what the
`# expect:` header says; nothing crashes, and the shipped content still loads beside it."""
import re
from pathlib import Path

import pytest

from game.content.loader import load_library
from game.content.validate import check_file

FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "broken").glob("*.yaml"))
CONTENT = Path(__file__).resolve().parent.parent.parent / "scenarios"


def _expectation(path: Path):
    text = path.read_text(encoding="utf-8")
    message = re.search(r"^# expect: (.+?)(?:\s+# <- error)?$", text, re.M).group(1)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "# <- error" in ln)
    return message, line


def test_there_are_enough_fixtures():
    assert len(FIXTURES) >= 25


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_reports_exact_line(path):
    message, line = _expectation(path)
    lib = load_library(CONTENT)
    report = check_file(lib, path)
    assert not report.ok
    errors = [(p.line, p.message + (f"; {p.hint}" if p.hint else "")) for p in report.errors]
    assert any(ln == line and message in msg for ln, msg in errors), errors
    # The formatted report quotes the offending line.
    assert f"{report.path}:{line}:" in report.format()
    assert ">>>" in report.format()


def test_broken_file_does_not_stop_the_others(tmp_path):
    import shutil
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    shutil.copy(FIXTURES[0], root / "personas" / "zz-broken.yaml")
    lib = load_library(root)
    assert {"haggler-nurse-shoes", "damaged-dress", "chatty-office-lady"} <= set(lib.personas)
    assert [r.path for r in lib.broken] == [str(root / "personas" / "zz-broken.yaml")] or \
        [Path(r.path).name for r in lib.broken] == ["zz-broken.yaml"]


def test_duplicate_persona_id_is_reported(tmp_path):
    import shutil
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    src = root / "personas" / "haggler-nurse-shoes.yaml"
    shutil.copy(src, root / "personas" / "zz-copy.yaml")
    lib = load_library(root)
    (bad,) = lib.broken
    (problem,) = bad.errors
    assert "duplicate persona id 'haggler-nurse-shoes'" in problem.message
    id_line = next(i for i, ln in enumerate(src.read_text(encoding="utf-8").splitlines(), 1) if ln.startswith("id:"))
    assert problem.line == id_line
