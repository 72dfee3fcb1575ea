"""Build step: ship the top-level `resources/` and `ui/` folders inside the package.

Everything else is declared in pyproject.toml. The two folders stay where they
are (the source of truth); a wheel gets copies as `deskapp/_data/resources` and
`deskapp/_data/ui`, which `deskapp.resources` reads with importlib.resources.
An editable install reads the top-level folders themselves.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
DATA_DIRS = ("resources", "ui")  # deskapp.resources.DATA_DIRS and packaging/names.py name the same
PACKAGED_DIR = Path("deskapp") / "_data"  # deskapp.resources.PACKAGED_DIR


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # the source checkout's folders are read in place
        for name in DATA_DIRS:
            source = ROOT / name
            if not source.is_dir():
                raise SystemExit(f"deskapp build: {source} is missing")
            target = Path(self.build_lib) / PACKAGED_DIR / name
            shutil.rmtree(target, ignore_errors=True)  # no file deleted from the source survives
            self.copy_tree(str(source), str(target))


setup(cmdclass={"build_py": BuildWithData})
