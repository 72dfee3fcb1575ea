"""The user cache folder (platformdirs): what can be worked out again, kept to start faster.

Today that is the public holidays the business calendar read from the `holidays`
library (`deskapp.domain.holiday_source`). Deleting the folder is always safe.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

from deskapp.domain import holiday_source

HOLIDAYS_FILE = "holidays.json"


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("deskapp", appauthor=False))


def use_holiday_cache() -> Path:
    """Keep holidays between runs (the desktop app and the command line call this first)."""
    path = cache_dir() / HOLIDAYS_FILE
    holiday_source.use_cache(path)
    return path
