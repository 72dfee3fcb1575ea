"""`python -m deskapp` and the `deskapp` console command."""

from __future__ import annotations

import sys

from deskapp.cli.main import main as _main


def main() -> None:
    sys.exit(_main())


if __name__ == "__main__":
    main()
