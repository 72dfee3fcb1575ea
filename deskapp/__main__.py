"""`python -m deskapp`, the `deskapp` console command and the windowed `deskappw`.

Both scripts run `main`; pip makes `deskappw` a windowed launcher on Windows
(`[project.gui-scripts]`), so starting the app from it opens no console window.
"""

from __future__ import annotations

import sys

from deskapp.cli.main import main as _main


def main() -> None:
    sys.exit(_main())


if __name__ == "__main__":
    main()
