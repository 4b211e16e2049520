"""Text in the workbench's queue and feedback is readable: at least 4.5:1 contrast (WCAG AA) for
every text colour on the background it is drawn on (issue 12: amber wait times were 2.2:1)."""
import pytest

from game.ui.theme import Theme
from game.ui.widgets.chatview import NOTE_TEXT
from game.ui.widgets.panels import AVATAR_COLOURS, LEVEL_BG, LEVEL_TEXT, OUTCOME_COLOUR


def _lum(c) -> float:
    def ch(x):
        x /= 255
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4
    return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b)


def contrast(a, b) -> float:
    la, lb = _lum(a), _lum(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


@pytest.fixture(scope="module")
def theme():
    return Theme()


def _pairs(theme):
    rows = ["panel", "selected", *LEVEL_BG.values()]
    for bg in rows:  # the queue: names, previews, wait times and countdowns on every row tint
        for fg in ("text", "muted", "bad_text", "info_text", *LEVEL_TEXT.values()):
            yield fg, bg
    for fg in ("panel",):  # white on tags, badges and avatars
        for bg in ("bad_text", "accent_text", *OUTCOME_COLOUR.values()):
            yield fg, bg
    for bg in ("late_soft", "good_soft"):  # the feedback card
        for fg in NOTE_TEXT.values():
            yield fg, bg
    for bg in ("buyer_bubble", "agent_bubble", "panel_alt"):
        yield "text", bg
        yield "muted", "panel_alt"


def test_every_text_colour_reads_on_its_background(theme):
    low = [(fg, bg, round(contrast(theme.c(fg), theme.c(bg)), 2)) for fg, bg in _pairs(theme)
           if contrast(theme.c(fg), theme.c(bg)) < 4.5]
    assert not low, low


def test_avatar_initials_read_on_every_avatar_colour(theme):
    import pygame
    for c in AVATAR_COLOURS:
        assert contrast(theme.c("panel"), pygame.Color(c)) >= 4.5, c
