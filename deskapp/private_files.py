"""Files only their owner may read: a SQLite desk, its settings and its logs.

On POSIX a file is made, or tightened when found looser, to 0600 and a folder
deskapp owns (its data, config and log folders, and any folder it creates) to
0700: a SQLite desk holds every ticket and the staff's password hashes, the
settings name the database, the log holds error details. SQLite makes a
desk's -wal and -shm files with the database file's own mode, so they follow
it; existing ones are tightened at open too.

On Windows nothing is changed: the files live in the user's profile
(%LOCALAPPDATA%), whose permissions already keep other users out; a desk the
user puts elsewhere keeps that folder's permissions.

A file system that does not take the change (a FAT stick, a read-only mount)
is left as it is: the desk still opens, and nothing is reported as secured.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700
POSIX = sys.platform != "win32"


def private_folder(path: Path, *, tighten: bool = True) -> Path:
    """Make `path` and any missing parents 0700; an existing `path` is tightened to 0700
    only when `tighten` (a folder deskapp owns, never one the user named)."""
    missing: list[Path] = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            folder.mkdir(mode=FOLDER_MODE)
        _chmod(folder, FOLDER_MODE)  # mkdir's mode is filtered by the umask
    if tighten and not missing:
        _chmod(path, FOLDER_MODE)
    return path


def private_file(path: Path, *, create: bool = True) -> Path:
    """Make `path` (empty) as 0600 if it is missing and `create`; tighten it if it exists."""
    if create and POSIX:
        with contextlib.suppress(FileExistsError, OSError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    tighten_files([path])
    return path


def tighten_files(paths: Iterable[Path]) -> None:
    """0600 for each of `paths` that exists (and is more open than that)."""
    for path in paths:
        _chmod(path, FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    if not POSIX:
        return
    try:
        current = path.stat().st_mode & 0o777
        if current & ~mode:  # more open than wanted (never loosen: 0400 stays 0400)
            path.chmod(current & mode)
    except OSError:  # gone meanwhile, not ours, or a file system without modes
        pass


def open_private(path: Path, mode: str = "a", encoding: str = "utf-8") -> object:
    """`open(path, mode)` for writing, creating the file as 0600 (not 0666 less the umask)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    tighten_files([path])
    return os.fdopen(fd, mode, encoding=encoding)
