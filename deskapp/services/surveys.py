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
import io
from dataclasses import dataclass, field
from pathlib import Path

import peewee as pw

from deskapp.domain.clock import Clock
from deskapp.domain.time_range import quote
from deskapp.services.errors import DeskError, NotFound, ValidationError
from deskapp.services.resolution import record_survey
from deskapp.services.text import check_text
from deskapp.store.connection import use
from deskapp.store.models import SurveyInvitation, Ticket


def ticket_number_for(ref: str) -> str:
    check_text(ref, "the survey reference", SurveyInvitation.ref.max_length)
    invitation = (
        SurveyInvitation.select(Ticket.number)
        .join(Ticket)
        .where(SurveyInvitation.ref == ref.strip().upper())
        .tuples()
        .first()
    )
    if invitation is None:
        raise NotFound(f"no survey has the reference {quote(ref.strip())}")
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
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ValidationError(f"{path}: line {line} is not UTF-8 text (save the file as UTF-8)") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [c.strip().lower() for c in next(reader, [])]
    except csv.Error as exc:
        raise ValidationError(f"{path}: line 1 cannot be read as CSV: {exc}") from None
    if not {"reference", "score"} <= set(header):
        raise ValidationError(f"{path}: the first row must name the columns reference, score (and comment)")
    line = reader.line_num + 1  # where the next row starts
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a field over the csv module's 131,072 characters
            result.errors.append((line, f"cannot be read as CSV ({exc}); the import stopped here"))
            break
        row_line, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            result.errors.append((row_line, f"has {len(cells)} fields, the header names {len(header)}"))
            continue
        row = {name: value.strip() for name, value in zip(header, cells, strict=False)}
        try:
            score = int(row.get("score", ""))
        except ValueError:
            result.errors.append((row_line, f"score {quote(row.get('score'))} is not a whole number 1-5"))
            continue
        try:
            ticket = answer_by_ref(db, clock, actor, row.get("reference", ""), score=score,
                                   comment=row.get("comment", ""))  # fmt: skip
        except DeskError as exc:
            result.errors.append((row_line, str(exc)))
        else:
            result.saved.append((row_line, str(ticket.number)))
    return result
