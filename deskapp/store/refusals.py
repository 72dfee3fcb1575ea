"""What PostgreSQL's triggers refuse (schema v11), in the app's own words.

The triggers raise with these SQLSTATEs (a class of their own, "DK"), and a
message that names the ticket and says why. `refusal(exc)` turns such a
database error into the `DeskError` the CLI and the GUI already show:
`TransitionNotAllowed` for a move the process does not allow,
`PermissionDenied` for one the acting role may not make, `DeskError` for
anything else refused (a history row written by hand, a ticket deleted).
"""

from __future__ import annotations

from deskapp.domain.lifecycle import DeskError, PermissionDenied, TransitionNotAllowed

REFUSED_STATE = "DK001"
MOVE_STATE = "DK002"
PERMISSION_STATE = "DK003"
_ERRORS: dict[str, type[DeskError]] = {
    REFUSED_STATE: DeskError,
    MOVE_STATE: TransitionNotAllowed,
    PERMISSION_STATE: PermissionDenied,
}


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error (peewee keeps the driver's error as the cause)."""
    for error in (exc, exc.__cause__, exc.__context__, getattr(exc, "orig", None)):
        code = getattr(error, "pgcode", None) or getattr(error, "sqlstate", None)
        if isinstance(code, str):
            return code
    return None


def refusal(exc: BaseException) -> DeskError | None:
    """The app's error for a refusal by the database's triggers, or None for any other error."""
    kind = _ERRORS.get(sqlstate(exc) or "")
    if kind is None:
        return None
    cause = exc.__cause__ or exc
    diag = getattr(cause, "diag", None)
    text = getattr(diag, "message_primary", None) or str(cause).splitlines()[0]
    return kind(f"the database refused this: {text}")
