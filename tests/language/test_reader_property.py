"""Whatever is typed or pasted, the reader answers and its spans stay inside the text."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.content.loader import load_library
from game.language.facts import Facts
from game.language.reader import Reader, Reading

CONTENT = Path(__file__).resolve().parents[2] / "scenarios"
_LIB = load_library(CONTENT)
READER = Reader(_LIB.intents, _LIB.lexicon)  # the game's reader (its shipped model)

# Pieces that exercise the interesting paths: numerals, negators, units, emoticon codes.
PIECES = st.sampled_from([
    "不", "没", "别", "能不能", "包邮", "送您", "一双", "一百二", "十", "万", "九五折", "8.5",
    "元", "块", "码", "号", "xl", "/:", "/:087", "/:^_^", "¥", "1234567890123", "，", "。",
    " ", "\n", "亲", "您好", "不行", "的话", "如果", "親", "ＸＬ", "１２８", "\u200b", "\x00",
    "…", "😊", "\U0001F468\u200d\U0001F469", "e\u0301", "ﬁ", "㎏", "\ud800",
])
TEXTS = st.one_of(
    st.text(),
    st.text(max_size=10_000),
    st.lists(PIECES, max_size=60).map("".join),
    st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=40).map("".join),
)


def _check(reading: Reading, text: str) -> None:
    assert isinstance(reading, Reading)
    assert reading.text == text
    assert isinstance(reading.normalized, str)
    assert isinstance(reading.facts, Facts)
    last = -1
    for hit in reading.intents:
        assert 0 <= hit.start < hit.end <= len(text)
        assert hit.matched == text[hit.start:hit.end]
        assert hit.start >= last
        last = hit.start
    assert len(set(reading.names)) == len(reading.names)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_any_text_reads_without_raising(text):
    # _read has no safety net: a bug shows here instead of being swallowed by read().
    _check(READER._read(text), text)
    _check(READER.read(text), text)


def test_very_long_text_is_bounded():
    text = ("亲,给您打个九折,包邮哦!不 行" * 800)[:10_000]
    reading = READER._read(text)
    _check(reading, text)
    # a refusal beside an offer is no blunt refusal (refuse yields_to the offers)
    assert reading.has("offer_discount") and reading.has("offer_free_shipping") and not reading.has("refuse")


def test_non_string_input_does_not_raise():
    assert READER.read(None).intents == ()  # type: ignore[arg-type]
    assert READER.read(123).text == "123"  # type: ignore[arg-type]
