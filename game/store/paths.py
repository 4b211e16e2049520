"""Where the store lives: --data-dir, then KEFUSIM_DATA_DIR, then the user's data folder."""
from __future__ import annotations

import os
from pathlib import Path

APP = "KefuSim"
ENV = "KEFUSIM_DATA_DIR"
DB_NAME = "kefusim.db"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The folder that holds the store (not created here)."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get(ENV, "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir
    # appauthor=False: no extra vendor folder on Windows (…\AppData\Local\KefuSim).
    return Path(user_data_dir(APP, appauthor=False))


def db_path(override: str | os.PathLike | None = None) -> Path:
    return data_dir(override) / DB_NAME
