import os
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "scenarios"


@pytest.fixture(scope="session")
def library():
    from game.content.loader import load_library
    return load_library(CONTENT)


@pytest.fixture(scope="session")
def reader(library):
    from game.language.reader import Reader
    return Reader(library.intents)
