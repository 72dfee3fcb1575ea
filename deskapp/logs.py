"""The app's log: a rotating file in the platformdirs log folder.

Every process (desktop app, CLI, frozen bundle) logs to the same place so a
desk's administrator can send one folder when something goes wrong.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs

from deskapp.private_files import open_private, private_folder, tighten_files

LOG_NAME = "deskapp.log"
_MAX_BYTES = 2_000_000
_BACKUPS = 5
log = logging.getLogger("deskapp")


class PrivateRotatingFileHandler(RotatingFileHandler):
    """Each log file (the current one and those rotated aside) readable by its owner only."""

    def _open(self) -> Any:
        return open_private(Path(self.baseFilename), self.mode, encoding=self.encoding or "utf-8")


def log_dir() -> Path:
    override = os.environ.get("DESKAPP_LOG_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_log_dir("deskapp", appauthor=False))


def log_path() -> Path:
    return log_dir() / LOG_NAME


def setup_logging(level: int = logging.INFO) -> Path:
    """Attach the rotating file handler once; returns the log file's path."""
    path = log_path()
    for handler in log.handlers:
        if isinstance(handler, RotatingFileHandler):
            return Path(handler.baseFilename)
    try:
        # The default folder is deskapp's own: tightened. One named by DESKAPP_LOG_DIR is
        # made 0700 if missing, else left as it is (it may be shared, e.g. /tmp).
        private_folder(path.parent, tighten=not os.environ.get("DESKAPP_LOG_DIR"))
        tighten_files([path, *(path.with_name(f"{path.name}.{n}") for n in range(1, _BACKUPS + 1))])
        handler = PrivateRotatingFileHandler(
            path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8"
        )
    except OSError as exc:  # a read-only profile must not stop the desk working
        print(f"deskapp: cannot write the log at {path}: {exc}", file=sys.stderr)
        return path
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"))
    log.addHandler(handler)
    log.setLevel(level)
    return path


def log_unexpected(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> str:
    """Write an unexpected error to the log; returns a one-line summary for a person."""
    log.error("unexpected error\n%s", "".join(traceback.format_exception(kind, value, tb)))
    return f"{kind.__name__}: {value}" if str(value) else kind.__name__
