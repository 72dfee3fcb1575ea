"""Import the Qt-free part of the app before Qt, at launch.

PySide6 installs an import hook that reads the source of every module imported
after it (looking for `from __feature__ import ...`). The store, the services,
numpy and (on a first run) the holiday calendars are several hundred modules;
importing them first keeps them out of that hook, about a fifth of a second of
launch on a 2-core machine. Nothing here may import Qt (a test checks).
"""

from __future__ import annotations

import importlib

QT_FREE = (
    "numpy",
    "numpy.typing",
    "peewee",
    "deskapp.domain.explain",
    "deskapp.domain.sla",
    "deskapp.domain.sla_batch",
    "deskapp.sla",
    "deskapp.store.connection",
    "deskapp.store.models",
    "deskapp.store.change_feed",
    "deskapp.store.db_clock",
    "deskapp.services",
    "deskapp.services.queue",
    "deskapp.services.presence",
    "deskapp.services.escalation_review",
    "deskapp.services.survey_read",
    "deskapp.services.surveys",
    "deskapp.rules.engine",
)


def preload() -> None:
    for name in QT_FREE:
        importlib.import_module(name)
    # Reading the policy checks its holiday calendars: from the holiday cache file, or on a
    # first run from the `holidays` library, whose every-country import then happens here.
    from deskapp.domain.policy import default_policy

    default_policy()
