"""Run the attack matrix on a real PostgreSQL and print its figures.

    DESKAPP_TEST_PG_URL=postgresql://owner:pw@host/db python3 bench/attack_matrix.py [--json]

Makes a desk with login roles in a throw-away schema (the URL's role must be able
to create schemas and roles), signs in as one login of each group role, tries
every statement of tests/security/attack_matrix.py and every ticket attack of
tests/security/ticket_attacks.py (on fresh tickets) with plain SQL, then drops
the roles and the schema. Prints: tried, refused, recorded truthfully, escapes
(must be 0), and each escape. Exit status 1 when anything escaped.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.security.attack_matrix import run_matrix


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DESKAPP_TEST_PG_URL")
    if not url:
        print("attack_matrix: set DESKAPP_TEST_PG_URL to an owner role's URL", file=sys.stderr)
        return 2
    figures = run_matrix(url)
    if args.json:
        print(json.dumps({
            "tried": figures.tried, "refused": figures.count("refused"),
            "recorded_truthfully": figures.count("recorded"), "escapes": len(figures.escapes),
            "escaped": [f"{o.role}: {o.attack}: {o.detail}" for o in figures.escapes],
        }))  # fmt: skip
    else:
        print(figures.summary())
        for o in figures.escapes:
            print(f"  ESCAPE {o.role}: {o.attack}: {o.detail}")
    return 1 if figures.escapes else 0


if __name__ == "__main__":
    sys.exit(main())
