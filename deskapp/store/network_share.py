"""Whether a SQLite file would live on a network share, where it must not.

SQLite's WAL needs shared memory between the processes that use a file, which
network file systems (SMB/CIFS, NFS) do not give: two workstations on one
shared file can corrupt it. A desk shared by several workstations belongs on
PostgreSQL, so such a path is refused with a sentence that says so.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path, PureWindowsPath

NETWORK_FILESYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "fuse.sshfs", "davfs", "fuse.davfs2"}
)


def network_kind(path: Path | str, *, mounts: str | None = None, windows: bool | None = None) -> str | None:
    """The network file system `path` is on ("cifs", "UNC share", ...), or None when local.

    `mounts` (the text of /proc/mounts) and `windows` are for tests."""
    text = str(path)
    windows = sys.platform == "win32" if windows is None else windows
    if windows:
        return _windows_kind(text)
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None  # no mount table (macOS): nothing to go on
    return _posix_kind(text, mounts)


def _windows_kind(text: str) -> str | None:
    win = PureWindowsPath(text)
    if win.drive.startswith(("\\\\", "//")):
        return "UNC share"
    if sys.platform == "win32" and win.drive:  # pragma: no cover - Windows only
        import ctypes

        drive_remote = 4
        if ctypes.windll.kernel32.GetDriveTypeW(win.drive + "\\") == drive_remote:
            return "mapped network drive"
    return None


def _posix_kind(text: str, mounts: str) -> str | None:
    target = os.path.abspath(os.path.expanduser(text))
    best, kind = "", None
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind if kind in NETWORK_FILESYSTEMS else None
