"""Reports for team leads: does the desk meet the contract? (read-only, Qt-free)

Each report is a function `(db, *, now, policy=None, since=None, until=None) -> Table`;
a `Table` is plain rows that the CLI prints, the Qt view charts, and
`deskapp.reports.export` writes as CSV.
"""

from deskapp.reports.table import Table

__all__ = ["Table"]
