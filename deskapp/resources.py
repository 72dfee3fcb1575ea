"""The one place that finds files under `resources/` and `ui/`.

Works from a source checkout (editable install) and from a PyInstaller
bundle, where the spec in `packaging/` copies the same two folders next to
the executable's `_MEIPASS`.
"""

from __future__ import annotations

import sys
from pathlib import Path


def app_root() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    return app_root().joinpath("resources", *parts)


def ui_path(name: str) -> Path:
    return app_root() / "ui" / name


def default_policy_path() -> Path:
    return resource_path("policy", "default-policy.toml")
