"""Every character the game can show has a real glyph, and wrapped text stays inside its width."""
import os
from pathlib import Path

import pygame
import pytest

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def font():
    pygame.font.init()
    from game.ui.theme import FONT_REGULAR
    yield pygame.font.Font(FONT_REGULAR, 17)


def _chars() -> set[str]:
    text = ""
    for p in list((ROOT / "scenarios").rglob("*.yaml")) + list((ROOT / "game" / "ui").rglob("*.py")):
        text += p.read_text(encoding="utf-8")
    return {ch for ch in text if ord(ch) > 0x2E7F and not (0xE000 <= ord(ch) <= 0xF8FF)}


def test_no_character_renders_as_the_empty_box(font):
    tofu = pygame.image.tobytes(font.render("\ue000", True, (0, 0, 0)), "RGBA")
    chars = _chars()
    assert len(chars) > 500
    missing = sorted(ch for ch in chars if pygame.image.tobytes(font.render(ch, True, (0, 0, 0)), "RGBA") == tofu)
    # Emoji are not in a CJK font: the game draws its own faces for those it knows (and for the codes).
    from game.content.emoticons import FACES
    drawn = {ch for key in FACES for ch in key} | {"\ufe0f"}
    missing = [ch for ch in missing if ch not in drawn]
    assert not missing, f"characters with no glyph: {''.join(missing)}"


def test_a_typed_emoji_is_drawn_as_the_face_of_its_code(font):
    from game.ui.widgets import text as tx
    as_image = lambda s: pygame.image.tobytes(tx.render(font, s, (0, 0, 0), 400), "RGBA")  # noqa: E731
    assert as_image("好的😊谢谢") == as_image("好的/:^$^谢谢") != as_image("好的谢谢")
    assert as_image("👍") == as_image("/:good")


@pytest.mark.parametrize("width", [80, 160, 320])
def test_wrapped_lines_fit_their_width(font, width):
    from game.ui.widgets import text as tx
    samples = ["亲,您好!欢迎光临大礼拜旗舰店,很高兴为您服务 /:^_^ 请问有什么可以帮您的呢?",
               "订单号 12345678901234567890 已经发出,顺丰快递 SF1234567890",
               "哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈,。!?", "a" * 200, "\n\n空行\n"]
    for s in samples:
        for line in tx.layout(font, s, width):
            w = sum(tx._tw(font, t) for t in line)
            assert w <= width + font.size("。")[0] or len(line) == 1, (s, line)  # one hanging mark at most
        img = tx.render(font, s, (0, 0, 0), width)
        assert img.get_width() <= width + font.size("。")[0]


def test_no_line_starts_with_closing_punctuation(font):
    from game.ui.widgets import text as tx
    lines = tx.layout(font, "好的好的好的好的好的,好的好的好的好的。", font.size("好的好的好的好的好的")[0])
    assert all(not line or line[0] not in ",。" for line in lines)
