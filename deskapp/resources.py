"""The one place that finds files under `resources/` and `ui/`.

The top-level `resources/` and `ui/` folders of the repository are the source
of truth. A wheel and the PyInstaller bundle carry copies of both inside the
package, as `deskapp/_data/resources` and `deskapp/_data/ui` (setup.py's
build step and packaging/deskapp.spec put them there), and they are found
through `importlib.resources`, so an installed package and a frozen bundle
read them the same way. A source checkout (an editable install, or
PYTHONPATH) has no `_data` and reads the top-level folders themselves.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

# The folder inside the package that holds the packaged copies; setup.py and the spec use it.
PACKAGED_DIR = "_data"
DATA_DIRS = ("resources", "ui")


class ResourceError(FileNotFoundError):
    pass


def packaged_root() -> Path | None:
    """`deskapp/_data` of an installed wheel or a bundle, or None in a source checkout."""
    root = importlib.resources.files("deskapp") / PACKAGED_DIR
    # A regular package on disk (a wheel's install, PyInstaller's bundle) gives a real Path.
    return root if isinstance(root, Path) and root.is_dir() else None


def checkout_root() -> Path:
    return Path(__file__).resolve().parent.parent


def app_root() -> Path:
    """The folder that holds `resources/` and `ui/`."""
    packaged = packaged_root()
    if packaged is not None:
        return packaged
    checkout = checkout_root()
    if all((checkout / name).is_dir() for name in DATA_DIRS):
        return checkout
    raise ResourceError(
        "deskapp's resources/ and ui/ folders are missing: neither "
        f"{importlib.resources.files('deskapp') / PACKAGED_DIR} (an installed package) nor "
        f"{checkout} (a source checkout) holds them; reinstall deskapp"
    )


def resource_path(*parts: str) -> Path:
    return app_root().joinpath("resources", *parts)


def ui_path(name: str) -> Path:
    return app_root() / "ui" / name


def default_policy_path() -> Path:
    return resource_path("policy", "default-policy.toml")
