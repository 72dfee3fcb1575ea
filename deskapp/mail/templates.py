"""Message templates and canned replies: kept in the database, shared by every workstation.

A template is a text: a `Subject:` line, a blank line, then the body.
Placeholders are `$name` (string.Template); an unknown placeholder is left as
written rather than failing a process step over a typo in a template.

Until an administrator edits one, each template is the default shipped in
resources/templates (`<kind>.txt`); an edited text is a row of the `meta`
table (`template.<kind>`), so the wording no longer depends on who clicked.
Canned replies (the composer's ready texts) are likewise shipped in
resources/templates/canned_replies.txt (`## Title` lines) until edited
(`meta` row `canned_replies`, JSON).

    render(kind, values) -> RenderedMessage       the desk's current text, filled in
    template_text(kind) -> str, is_edited(kind)   what the administrator edits
    save_template(kind, text) / reset_template(kind)
    canned_replies() -> list[CannedReply], save_canned_replies(replies)

The callers bind the models (`deskapp.store.connection.use`) and own the
transaction; permission checks are `deskapp.services.templates`.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass

from deskapp.resources import resource_path
from deskapp.store.models import Meta

KINDS = (
    "ticket_number", "info_request", "chaser", "escalation", "reply", "resolution",
    "auto_resolved", "survey",
)  # fmt: skip
LABELS = {
    "ticket_number": "Ticket number (the response)", "info_request": "Information request",
    "chaser": "Daily chaser", "escalation": "Escalation notice", "reply": "Update from the engineer",
    "resolution": "Resolution", "auto_resolved": "Automatic resolution", "survey": "Satisfaction survey",
}  # fmt: skip
TEMPLATE_KEY = "template."
CANNED_KEY = "canned_replies"


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class RenderedMessage:
    kind: str
    subject: str
    body: str


@dataclass(frozen=True)
class CannedReply:
    title: str
    text: str


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise TemplateError(f"no message template called {kind!r} (known: {', '.join(KINDS)})")


def shipped_text(kind: str) -> str:
    _check_kind(kind)
    return resource_path("templates", f"{kind}.txt").read_text(encoding="utf-8")


def template_text(kind: str) -> str:
    """The desk's text for `kind`: the administrator's edit, else the shipped default."""
    _check_kind(kind)
    row = Meta.get_or_none(Meta.key == TEMPLATE_KEY + kind)
    return str(row.value) if row is not None else shipped_text(kind)


def is_edited(kind: str) -> bool:
    _check_kind(kind)
    return Meta.get_or_none(Meta.key == TEMPLATE_KEY + kind) is not None


def split(text: str, where: str = "the template") -> tuple[str, str]:
    """(subject, body) of a template text; TemplateError if it has no Subject line."""
    text = text.replace("\r\n", "\n")
    head, sep, body = text.partition("\n\n")
    if not sep or not head.startswith("Subject:") or "\n" in head.strip():
        raise TemplateError(f"{where}: a template starts with one 'Subject:' line and a blank line")
    return head.removeprefix("Subject:").strip(), body


def check_text(kind: str, text: str) -> None:
    _check_kind(kind)
    subject, _ = split(text, f"the {kind} template")
    if "$number" not in subject and "${number}" not in subject:
        raise TemplateError(
            f"the {kind} template's subject must carry $number: the reseller's replies find "
            "their ticket by it"
        )


def save_template(kind: str, text: str) -> None:
    check_text(kind, text)
    Meta.insert(key=TEMPLATE_KEY + kind, value=text).on_conflict(
        conflict_target=[Meta.key], update={Meta.value: text}
    ).execute()


def reset_template(kind: str) -> None:
    _check_kind(kind)
    Meta.delete().where(Meta.key == TEMPLATE_KEY + kind).execute()


def fill_text(text: str, values: dict[str, object], kind: str = "") -> RenderedMessage:
    subject, body = split(text, f"the {kind or 'message'} template")
    fill = {key: "" if value is None else str(value) for key, value in values.items()}
    body = string.Template(body).safe_substitute(fill)
    # A placeholder left empty (no out-of-hours line in hours) leaves no hole in the text.
    body = re.sub(r"\n{3,}", "\n\n", body).strip("\n") + "\n"
    return RenderedMessage(kind, string.Template(subject).safe_substitute(fill), body)


def render(kind: str, values: dict[str, object]) -> RenderedMessage:
    return fill_text(template_text(kind), values, kind)


# --- canned replies ------------------------------------------------------------


def parse_canned(text: str) -> list[CannedReply]:
    replies: list[CannedReply] = []
    title: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("## "):
            if title is not None:
                replies.append(CannedReply(title, "\n".join(lines).strip()))
            title, lines = line[3:].strip(), []
        elif title is not None:
            lines.append(line)
    if title is not None:
        replies.append(CannedReply(title, "\n".join(lines).strip()))
    return replies


def canned_replies() -> list[CannedReply]:
    row = Meta.get_or_none(Meta.key == CANNED_KEY)
    if row is None:
        return parse_canned(resource_path("templates", "canned_replies.txt").read_text(encoding="utf-8"))
    return [CannedReply(str(item["title"]), str(item["text"])) for item in json.loads(str(row.value))]


def save_canned_replies(replies: list[CannedReply]) -> None:
    for reply in replies:
        if not reply.title.strip() or not reply.text.strip():
            raise TemplateError("a canned reply needs a title and a text")
    titles = [r.title.strip() for r in replies]
    if len(set(titles)) != len(titles):
        raise TemplateError("two canned replies have the same title")
    value = json.dumps([{"title": r.title.strip(), "text": r.text.strip()} for r in replies])
    Meta.insert(key=CANNED_KEY, value=value).on_conflict(
        conflict_target=[Meta.key], update={Meta.value: value}
    ).execute()
