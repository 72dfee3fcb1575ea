"""Build the one-folder bundle: `python3 packaging/build.py` -> dist/deskapp/.

Writes the Windows version resource from the package version, runs
PyInstaller on packaging/deskapp.spec, and prints the bundle's size.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "packaging"))

from names import APP_NAME, DIST_DIR, PUBLISHER  # noqa: E402

from deskapp import __version__  # noqa: E402

VERSION_TEMPLATE = """VSVersionInfo(
  ffi=FixedFileInfo(filevers={tup}, prodvers={tup}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
      StringStruct('CompanyName', '{publisher}'),
      StringStruct('FileDescription', 'deskapp service-desk client'),
      StringStruct('FileVersion', '{version}'),
      StringStruct('InternalName', '{name}'),
      StringStruct('OriginalFilename', '{name}.exe'),
      StringStruct('ProductName', '{name}'),
      StringStruct('ProductVersion', '{version}')])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def version_tuple(version: str) -> tuple[int, int, int, int]:
    parts = [int("".join(ch for ch in p if ch.isdigit()) or 0) for p in version.split(".")[:4]]
    padded = [*parts, 0, 0, 0, 0]
    return padded[0], padded[1], padded[2], padded[3]


def write_version_file() -> Path:
    path = ROOT / "build" / "version_info.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        VERSION_TEMPLATE.format(
            tup=version_tuple(__version__), version=__version__, name=APP_NAME, publisher=PUBLISHER
        ),
        encoding="utf-8",
    )
    return path


def folder_size(path: Path) -> int:
    # Links (PySide6's lib*.so -> lib*.so.6) would be counted twice.
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def main() -> int:
    write_version_file()
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
           "--distpath", str(ROOT / "dist"), "--workpath", str(ROOT / "build" / "pyinstaller"),
           str(ROOT / "packaging" / "deskapp.spec")]  # fmt: skip
    result = subprocess.run(cmd, cwd=ROOT, check=False)
    if result.returncode != 0:
        print("deskapp build: PyInstaller failed", file=sys.stderr)
        return result.returncode
    bundle = ROOT / DIST_DIR
    print(f"bundle: {bundle} ({folder_size(bundle) / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
