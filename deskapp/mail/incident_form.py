"""The desk's published format for a new incident by email (Qt-free, peewee-free).

The template resellers fill in ships as `resources/mail/incident-by-email.txt`:
`Field: value` lines (Reseller, Contact, Phone, Email, Tenant, End users,
Impact, Summary) and `Description:` followed by free text up to the signature.

    read_form(subject, text) -> IncidentForm | None    None: not the desk's format
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from deskapp.resources import resource_path

FIELDS = {
    "reseller": "reseller", "company": "reseller", "contact": "contact", "name": "contact",
    "phone": "phone", "telephone": "phone", "email": "email", "e-mail": "email",
    "tenant": "tenant", "end users": "end_users", "end-users": "end_users", "users": "end_users",
    "impact": "impact", "priority": "impact", "summary": "summary", "description": "description",
}  # fmt: skip
IMPACTS = {
    "all": "all", "every": "all", "critical": "all", "p1": "all",
    "some": "some", "one": "some", "p2": "some", "normal": "some",
    "howto": "howto", "how-to": "howto", "how to": "howto", "question": "howto", "p3": "howto",
}  # fmt: skip
# A message is taken as the form when it has at least this many of its fields.
MIN_FIELDS = 3
LINE = re.compile(r"^\s*([A-Za-z][A-Za-z \-]{0,20}?)\s*:\s*(.*)$")


def template_path() -> Path:
    return resource_path("mail", "incident-by-email.txt")


@dataclass
class IncidentForm:
    fields: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_form(subject: str, text: str) -> IncidentForm | None:
    found: dict[str, str] = {}
    description: list[str] = []
    in_description = False
    for line in (text or "").splitlines():
        if line.strip() in ("--", "-- ") or line.startswith("-- "):
            break
        if in_description:
            description.append(line)
            continue
        match = LINE.match(line)
        if not match:
            continue
        key = FIELDS.get(" ".join(match.group(1).lower().split()))
        if key is None:
            continue
        value = match.group(2).strip()
        if _placeholder(value):
            value = ""
        if key == "description":
            in_description = True
            if value:
                description.append(value)
            continue
        if value and key not in found:
            found[key] = value
    if description:
        body = "\n".join(line for line in description if not _placeholder(line.strip())).strip()
        if body:
            found["description"] = body
    if len(found) < MIN_FIELDS:
        return None
    form = IncidentForm(found)
    if "summary" not in found:
        title = re.sub(r"^\s*(new incident|incident)\s*[:\-]\s*", "", subject or "", flags=re.I).strip()
        if title and not _placeholder(title):
            found["summary"] = title
    impact = found.get("impact")
    if impact is not None:
        normal = IMPACTS.get(impact.strip().lower().rstrip("."))
        if normal is None:
            form.notes.append(f"impact {impact!r} is not one of some, howto: choose it when logging")
            del found["impact"]
        else:
            found["impact"] = normal
    return form


def _placeholder(value: str) -> bool:
    return value.startswith("<") and value.endswith(">")
