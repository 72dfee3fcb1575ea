"""The ticket store (peewee): models, connection by URL, versioned migrations.

from deskapp.store import open_database
db = open_database("sqlite:////path/desk.sqlite3")   # or postgresql://..., or None
"""

from deskapp.store.connection import open_database

__all__ = ["open_database"]
