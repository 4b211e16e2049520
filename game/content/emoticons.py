"""Wangwang emoticon codes (assets/emoticons.json). The window draws each as a small face; text outputs
(the terminal, the HTML export) show the emoji the file names for it."""
from __future__ import annotations

import json
import re
from pathlib import Path

_FILE = Path(__file__).resolve().parent.parent.parent / "assets" / "emoticons.json"
_DATA = json.loads(_FILE.read_text(encoding="utf-8"))
CODES: dict[str, str] = _DATA["codes"]        # code -> face name
PALETTE: list[str] = _DATA["palette"]        # the codes offered in the reply box
EMOJI: dict[str, str] = _DATA.get("emoji", {})
CODE_RE = re.compile("|".join(re.escape(c) for c in sorted(CODES, key=len, reverse=True)))
# What the window draws as a face: the codes, and the same emoji typed or pasted (the font has no emoji).
FACES: dict[str, str] = {**{e: k for k, e in EMOJI.items()}, **{e.rstrip("\ufe0f"): k for k, e in EMOJI.items()},
                         **_DATA.get("also_drawn", {}), **CODES}
FACE_RE = re.compile("|".join(re.escape(c) for c in sorted(FACES, key=len, reverse=True)))


def as_emoji(text: str) -> str:
    """The text with every emoticon code as its emoji (a code without one stays as typed)."""
    if "/:" not in text:
        return text
    return CODE_RE.sub(lambda m: EMOJI.get(CODES[m.group(0)], m.group(0)), text)
