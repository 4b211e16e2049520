"""Errors the game survives are written down, not swallowed: a log file in the data folder."""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_NAME = "kefusim.log"
_done: set[str] = set()


def log_to_data_dir(folder: str | Path | None) -> Path | None:
    """Send warnings and errors of every ``game.*`` logger to <data dir>/kefusim.log (rotated at 1 MB).
    Returns the file, or None when the folder cannot be written (play goes on)."""
    from game.store.paths import data_dir

    try:
        d = data_dir(folder)
        d.mkdir(parents=True, exist_ok=True)
        path = d / LOG_NAME
        if str(path) in _done:
            return path
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=2, encoding="utf-8")
    except OSError:
        return None
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("game")
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)
    _done.add(str(path))
    return path
