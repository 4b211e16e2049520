"""Records that are never lost: profiles, sessions, messages, state changes and reports in SQLite.

The headless core: no pygame, nothing eval'ed or unpickled. See db.py for the schema.
"""
from .db import LATEST, Profile, Session, Store, StoredMessage, StoredTransition, StoreError
from .paths import ENV, data_dir, db_path
from .recorder import SessionRecorder, content_hash

__all__ = ["LATEST", "ENV", "Profile", "Session", "Store", "StoreError", "StoredMessage", "StoredTransition",
           "SessionRecorder", "content_hash", "data_dir", "db_path", "default_profile"]


def default_profile() -> str:
    """The OS user name, or 学员 when there is none."""
    import getpass
    try:
        name = " ".join(getpass.getuser().split())
    except Exception:  # no user name on this system (getuser raises various errors)
        return "学员"
    return name[:32] if name and name.isprintable() else "学员"
