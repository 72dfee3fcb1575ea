"""Text the desk stores: the same limits on SQLite and PostgreSQL, checked before a write.

SQLite keeps any length and a NUL character; PostgreSQL refuses a VARCHAR(500) summary
of 128 KB and any NUL in text. So a service checks each text against the column's own
length (the model's max_length, one source) or MAX_TEXT, and refuses a NUL, with a
sentence naming the field and quoting only the start of the text.
"""

from __future__ import annotations

from deskapp.domain.time_range import quote
from deskapp.services.errors import ValidationError

MAX_TEXT = 100_000  # a note, a description, a survey comment: far beyond any real one


def check_text(value: str | None, what: str, limit: int | None = MAX_TEXT) -> None:
    """Refuse `value` (as stored, i.e. stripped) if it holds a NUL or is longer than `limit`."""
    if value is None:
        return
    text = value.strip()
    if "\x00" in text:
        raise ValidationError(f"{what} contains a NUL character, which the desk cannot store: {quote(text)}")
    if limit is not None and len(text) > limit:
        raise ValidationError(
            f"{what} is {len(text):,} characters long; at most {limit:,} fit ({quote(text, 40)})"
        )
