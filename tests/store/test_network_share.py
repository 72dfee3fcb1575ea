"""A SQLite desk on a network share is refused, pointing to PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskapp.store import connection
from deskapp.store.connection import DatabaseUrlError, open_database
from deskapp.store.network_share import network_kind

MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
//filer/desk /mnt/desk cifs rw,vers=3.0 0 0
filer:/export /srv/nfs nfs4 rw 0 0
/dev/sdb1 /mnt/desk/local ext4 rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/mnt/desk/deskapp.sqlite3", "cifs"),
        ("/srv/nfs/a/b.sqlite3", "nfs4"),
        ("/mnt/desk/local/db.sqlite3", None),  # a local disk mounted inside the share
        ("/mnt/desktop/db.sqlite3", None),  # a sibling whose name starts the same
        ("/home/me/db.sqlite3", None),
    ],
)
def test_posix_mount_table(path: str, kind: str | None) -> None:
    assert network_kind(path, mounts=MOUNTS, windows=False) == kind


def test_windows_unc_path_is_a_share() -> None:
    assert network_kind(r"\\filer\desk\deskapp.sqlite3", windows=True) == "UNC share"
    assert network_kind(r"C:\Users\me\deskapp.sqlite3", windows=True) is None


def test_opening_a_desk_on_a_share_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("deskapp.store.network_share.sys.platform", "win32")
    monkeypatch.setattr("deskapp.store.network_share._windows_kind", lambda text: "UNC share")
    with pytest.raises(DatabaseUrlError, match=r"network share \(UNC share\).*PostgreSQL"):
        open_database(f"sqlite:///{tmp_path / 'd.sqlite3'}")
    assert not (tmp_path / "d.sqlite3").exists()
    monkeypatch.undo()
    connection.use(open_database(f"sqlite:///{tmp_path / 'd.sqlite3'}"))  # local: fine
