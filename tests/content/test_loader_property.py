"""Whatever a content file holds, the loader reports it: no exception escapes, every problem has a
line and a column (hypothesis builds files from YAML pieces, persona keys and hostile values)."""
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.content.loader import load_library
from game.content.validate import check_file

ROOT = Path(__file__).resolve().parents[2]
LIB = load_library(ROOT / "scenarios")
BASE = (ROOT / "scenarios" / "personas" / "haggler-nurse-shoes.yaml").read_text(encoding="utf-8")

PIECES = st.sampled_from([
    "version: 1\n", "id: fuzz\n", "states:\n", "  a:\n", "    say: [", "]", "{", "}", "[", ":", "：", "- ", "  ", "\t",
    "\n", "&a ", "*a", "<<: ", "!!int ", "!!binary ", "!!python/object:os.system ", "'", '"', "#", "|", ">-", "?",
    "{price}", "{price[0]}", "{price:>99}", "9" * 40, "1e400", ".nan", "2024-02-30", "\x01", "\ufeff", "\ud800",
    "on:", "greet: {to: a}", "end: success", "buyer: {name: x, mood: 50}", "if: \"price >\"", "mood: +5",
])
TEXTS = st.one_of(
    st.lists(PIECES, max_size=80).map("".join),
    st.text(max_size=2000),
    st.builds(lambda cut, junk: BASE[:cut] + junk + BASE[cut:], st.integers(0, len(BASE)),
              st.lists(PIECES, max_size=6).map("".join)),
)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_any_file_is_reported_never_raised(text):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "fuzz.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        report = check_file(LIB, path)
        for p in report.problems:
            assert p.line >= 1 and p.col >= 1, p.message
        report.format()
