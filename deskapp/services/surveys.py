"""Survey answers: typed from the reseller's reply, or imported from a CSV file.

    answer_by_ref(db, clock, actor, ref, *, score, comment="") -> Ticket
    import_csv(db, clock, actor, path) -> SurveyImport

A CSV file has a header row with `reference` and `score` columns (and
optionally `comment`). Every good row is saved, each in its own transaction;
every bad row is reported with its line number and why, so the file can be
fixed and imported again (rows already saved are then reported, not doubled).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import peewee as pw

from deskapp.domain.clock import Clock
from deskapp.services.errors import DeskError, NotFound, ValidationError
from deskapp.services.resolution import record_survey
from deskapp.store.connection import use
from deskapp.store.models import SurveyInvitation, Ticket


def ticket_number_for(ref: str) -> str:
    invitation = (
        SurveyInvitation.select(Ticket.number)
        .join(Ticket)
        .where(SurveyInvitation.ref == ref.strip().upper())
        .tuples()
        .first()
    )
    if invitation is None:
        raise NotFound(f"no survey has the reference {ref.strip()!r}")
    return str(invitation[0])


def answer_by_ref(
    db: pw.Database, clock: Clock, actor: str, ref: str, *, score: int, comment: str = ""
) -> Ticket:
    use(db)
    return record_survey(db, clock, actor, ticket_number_for(ref), score=score, comment=comment)


@dataclass
class SurveyImport:
    saved: list[tuple[int, str]] = field(default_factory=list)  # (line, ticket number)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, why)

    def lines(self) -> list[str]:
        out = [f"saved {len(self.saved)} answers, {len(self.errors)} rows not saved"]
        out += [f"line {line}: {why}" for line, why in self.errors]
        return out


def import_csv(db: pw.Database, clock: Clock, actor: str, path: str | Path) -> SurveyImport:
    use(db)
    result = SurveyImport()
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror or exc}") from None
    reader = csv.DictReader(text.splitlines())
    columns = {c.strip().lower() for c in reader.fieldnames or []}
    if not {"reference", "score"} <= columns:
        raise ValidationError(f"{path}: the first row must name the columns reference, score (and comment)")
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        try:
            score = int(row.get("score", ""))
        except ValueError:
            result.errors.append((line, f"score {row.get('score')!r} is not a whole number 1-5"))
            continue
        try:
            ticket = answer_by_ref(db, clock, actor, row.get("reference", ""), score=score,
                                   comment=row.get("comment", ""))  # fmt: skip
        except DeskError as exc:
            result.errors.append((line, str(exc)))
        else:
            result.saved.append((line, str(ticket.number)))
    return result
