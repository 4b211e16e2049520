import os
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "scenarios"


@pytest.fixture(autouse=True, scope="session")
def _private_data_dir(tmp_path_factory):
    """No test (nor a game it starts in a subprocess) writes into the user's real records store,
    nor trains a reader into the user's cache (the shipped model is read from assets/ all the same)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KEFUSIM_DATA_DIR", str(tmp_path_factory.mktemp("kefusim-data")))
        mp.setenv("KEFUSIM_CACHE_DIR", str(tmp_path_factory.mktemp("kefusim-cache")))
        yield


@pytest.fixture(scope="session")
def library():
    from game.content.loader import load_library
    return load_library(CONTENT)


@pytest.fixture(scope="session")
def reader(library):
    from game.language.reader import Reader
    return Reader(library.intents, library.lexicon)
