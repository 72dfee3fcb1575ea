"""What an inbound message says about where it belongs (Qt-free, peewee-free).

    ticket_numbers(subject) -> list[str]             INC-000123 written in a subject
    sender_belongs(address, known_addresses, reseller_address) -> bool
    reply_intent(text) -> "confirm" | "refuse" | None  an answer to a resolution

A resolution message asks the reseller to answer with CONFIRMED on the first
line when the issue is resolved, or NOT RESOLVED when it is not (the words
below; the resolution template says so). Only the reply's own first words
count, never the quoted message below them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NUMBER = re.compile(r"\bINC-?(\d{6,})\b", re.IGNORECASE)
CONFIRM_WORDS = ("confirmed", "confirm", "resolved", "yes resolved", "fixed")
# A reseller's domain says who writes unless it is a public mail service.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com",
    "live.co.uk", "yahoo.com", "yahoo.co.uk", "icloud.com", "me.com", "aol.com", "btinternet.com",
    "sky.com", "virginmedia.com", "eircom.net", "protonmail.com", "proton.me", "gmx.com",
})  # fmt: skip
REFUSE_WORDS = ("not resolved", "unresolved", "refused", "refuse", "not fixed", "still broken", "reject")


def ticket_numbers(subject: str) -> list[str]:
    """Every ticket number in a subject, as the desk writes them (INC-000123), in order."""
    return list(dict.fromkeys(f"INC-{int(digits):06d}" for digits in NUMBER.findall(subject or "")))


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip().lower() if "@" in address else ""


def sender_belongs(address: str, known_addresses: Iterable[str], reseller_address: str | None) -> bool:
    """A message is the reseller's when it comes from one of its contacts' addresses, the
    reseller's own address, or the reseller's domain (unless that domain is a public
    mail service, where a domain says nothing about who writes)."""
    sender = (address or "").strip().lower()
    if not sender or "@" not in sender:
        return False
    known = {a.strip().lower() for a in known_addresses if a}
    if reseller_address:
        known.add(reseller_address.strip().lower())
    if sender in known:
        return True
    domain = domain_of(reseller_address or "")
    return bool(domain) and domain not in FREE_MAIL_DOMAINS and domain_of(sender) == domain


def own_words(text: str) -> str:
    """The reply above the quoted message: lines before the first `>` quote or an
    'On ... wrote:' / '-----Original Message-----' line."""
    kept: list[str] = []
    for line in (text or "").splitlines():
        stripped = line.strip()
        if stripped.startswith(">"):
            break
        if re.match(r"^(on .+ wrote:|-+\s*original message\s*-+|from: .+)$", stripped, re.IGNORECASE):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def reply_intent(text: str) -> str | None:
    """'confirm' or 'refuse' when the reply's first line says so, else None."""
    words = own_words(text)
    first = next((line.strip() for line in words.splitlines() if line.strip()), "")
    head = re.sub(r"[^a-z ]+", " ", first.lower())
    head = " ".join(head.split())
    if any(head == w or head.startswith(w + " ") for w in REFUSE_WORDS):
        return "refuse"
    if head.startswith(("not ", "no ")):
        return None
    if any(head == w or head.startswith(w + " ") for w in CONFIRM_WORDS):
        return "confirm"
    return None
