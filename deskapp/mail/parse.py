"""Read one raw inbound message with the standard library's modern email policy.

    parse_message(raw, *, max_attachment_bytes) -> Parsed

Never raises for what a sender wrote: an unknown charset is decoded with
replacement characters, malformed MIME is read as far as it goes, an HTML-only
message becomes text, an attachment over the limit is kept as a name and a size;
each of these leaves a line in `Parsed.notes`. Qt-free and peewee-free.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import html
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

MESSAGE_ID = re.compile(r"<[^<>\s]+>")


@dataclass
class ParsedAttachment:
    name: str
    content_type: str
    size: int
    data: bytes | None  # None: over the limit, or not decodable (see note)
    note: str = ""


@dataclass
class Parsed:
    message_id: str
    in_reply_to: str | None
    references: list[str]
    from_addr: str
    from_header: str
    to: str
    subject: str
    dated_at: dt.datetime | None
    text: str
    size: int
    notes: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    auto_reply: str | None = None  # why it is an automatic reply, if it is one
    bounce: Bounce | None = None


@dataclass
class Bounce:
    """A delivery failure report: which of our messages failed, and the server's words."""

    message_ids: list[str]
    recipient: str
    reason: str


def parse_message(raw: bytes, *, max_attachment_bytes: int) -> Parsed:
    notes: list[str] = []
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # the parser is lenient; this is a last resort
        notes.append(f"the message could not be read as MIME ({exc}); kept as text")
        msg = EmailMessage()
        msg.set_content(raw.decode("utf-8", errors="replace"))
    defects = _defects(msg)
    if defects:
        notes.append("malformed MIME (" + "; ".join(sorted(defects)[:5]) + "); read as far as it goes")
    message_id = _first_id(_header(msg, "Message-ID", notes))
    if message_id is None:
        message_id = f"<{hashlib.sha256(raw).hexdigest()[:40]}@missing-message-id.deskapp>"
        notes.append("the message had no Message-ID; one was made from its content")
    from_header = _header(msg, "From", notes)
    parsed = Parsed(
        message_id=message_id,
        in_reply_to=_first_id(_header(msg, "In-Reply-To", notes)),
        references=MESSAGE_ID.findall(_header(msg, "References", notes)),
        from_addr=_address(msg, "From", from_header),
        from_header=from_header,
        to=", ".join(a for _, a in getaddresses([_header(msg, "To", notes)]) if a),
        subject=" ".join(_header(msg, "Subject", notes).split()),
        dated_at=_date(_header(msg, "Date", notes)),
        text="",
        size=len(raw),
        notes=notes,
    )
    parsed.auto_reply = auto_reply_reason(msg, parsed.from_addr)
    parts = _Parts()
    parsed.text = _body_text(msg, notes, parts)
    _collect_attachments(msg, parsed, max_attachment_bytes, parts)
    parsed.bounce = _bounce(msg, parsed)
    return parsed


# --- headers -------------------------------------------------------------------


# Headers read as text: only these may carry RFC 2047 encoded words worth decoding.
_DECODED = frozenset({"subject", "from", "to"})


def _header(msg: Message, name: str, notes: list[str]) -> str:
    """A header's text, read from the raw header (the modern policy's header objects
    cost a parse each time they are asked for; only From is parsed, once)."""
    raw = None
    for key, value in msg.raw_items() if hasattr(msg, "raw_items") else msg.items():
        if key.lower() == name.lower():
            raw = str(value)
            break
    if raw is None:
        return ""
    text = " ".join(raw.replace("\r", " ").replace("\n", " ").split())
    if name.lower() in _DECODED and "=?" in text:
        try:
            text = str(make_header(decode_header(text)))
        except (UnicodeDecodeError, LookupError, ValueError) as exc:
            notes.append(f"the {name} header could not be decoded ({exc}); shown as sent")
    return text.strip()


def _first_id(text: str) -> str | None:
    found = MESSAGE_ID.search(text or "")
    return found.group(0) if found else None


def _address(msg: Message, name: str, header_text: str) -> str:
    try:
        value = msg[name]
        addresses: tuple[Address, ...] = getattr(value, "addresses", ())
        if addresses and addresses[0].addr_spec:
            return addresses[0].addr_spec.strip().lower()
    except Exception:  # fall back to the plain parser below
        pass
    pairs = getaddresses([header_text])
    return pairs[0][1].strip().lower() if pairs and pairs[0][1] else ""


def _date(text: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _defects(msg: Message) -> set[str]:
    found: set[str] = set()
    for part in msg.walk():
        for defect in getattr(part, "defects", []):
            found.add(type(defect).__name__)
    return found


# --- loops and junk --------------------------------------------------------------


def auto_reply_reason(msg: Message, from_addr: str) -> str | None:
    """Why this message is automatic (RFC 3834 Auto-Submitted, Precedence, the usual
    vacation headers), or None for a message a person wrote."""

    def get(name: str) -> str:
        return _header(msg, name, [])

    auto = get("Auto-Submitted").lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = get("Precedence").lower()
    if precedence in ("bulk", "auto_reply", "list", "junk"):
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        value = get(name).lower()
        if value and (name != "X-Auto-Response-Suppress" or "all" in value or "oof" in value):
            return f"{name}: {value}"
    if get("List-Id") or get("List-Unsubscribe"):
        return "a mailing list message"
    local = from_addr.split("@", 1)[0]
    if local in ("mailer-daemon", "postmaster"):
        return f"sent by {from_addr}"
    return None


def _bounce(msg: Message, parsed: Parsed) -> Bounce | None:
    """A delivery status notification (RFC 3464 multipart/report), or a plain bounce
    from MAILER-DAEMON quoting our message."""
    report = msg.get_content_type() == "multipart/report" and (
        str(msg.get_param("report-type") or "").lower() == "delivery-status"
    )
    daemon = parsed.from_addr.split("@", 1)[0] in ("mailer-daemon", "postmaster")
    if not report and not daemon:
        return None
    reason, recipient = "", ""
    ids: list[str] = []
    for part in msg.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for block in _status_blocks(part):
                action = block.get("action", "").lower()
                if action and action not in ("failed", "delayed"):
                    continue
                recipient = recipient or _strip_type(block.get("final-recipient", ""))
                reason = reason or block.get("diagnostic-code", "") or block.get("status", "")
                reason = _strip_type(reason)
        elif kind in ("message/rfc822", "text/rfc822-headers"):
            ids.extend(_quoted_ids(part))
    if not ids:
        ids = [i for i in MESSAGE_ID.findall(parsed.text) if "@" in i]
    if not ids and not report:
        return None
    if not reason:
        reason = _first_failure_line(parsed.text) or parsed.subject or "delivery failed"
    return Bounce(message_ids=list(dict.fromkeys(ids)), recipient=recipient, reason=reason.strip())


def _status_blocks(part: Message) -> list[dict[str, str]]:
    blocks: list[dict[str, str]] = []
    payload = part.get_payload()
    items = payload if isinstance(payload, list) else []
    if not items:
        text = _raw_text(part)
        for chunk in re.split(r"\n\s*\n", text):
            items.append(email.message_from_string(chunk, policy=email.policy.compat32))
    for item in items:
        if isinstance(item, Message):
            blocks.append({k.lower(): " ".join(str(v).split()) for k, v in item.items()})
    return blocks


def _strip_type(value: str) -> str:
    # "rfc822; pat@acme.example" / "smtp; 550 5.1.1 no such user"
    head, sep, rest = value.partition(";")
    return rest.strip() if sep and " " not in head.strip() else value.strip()


def _quoted_ids(part: Message) -> list[str]:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(inner, Message):
        found = _first_id(str(inner.get("Message-ID", "") or ""))
        return [found] if found else []
    text = _raw_text(part)
    match = re.search(r"^Message-ID:\s*(<[^<>\s]+>)", text, re.IGNORECASE | re.MULTILINE)
    return [match.group(1)] if match else []


def _first_failure_line(text: str) -> str:
    for line in text.splitlines():
        if re.search(r"\b[45]\d\d\b|\b[45]\.\d+\.\d+\b|user unknown|does not exist", line, re.I):
            return line.strip()
    return ""


# --- bodies ------------------------------------------------------------------------


def _raw_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode("utf-8", errors="replace")
    raw = part.get_payload()
    return raw if isinstance(raw, str) else ""


def _decode(part: Message, notes: list[str]) -> str:
    """A text part's content, whatever its charset claims."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(part.get_payload() or "").encode("utf-8", errors="replace")
    charset = part.get_content_charset() or "us-ascii"
    try:
        return payload.decode(charset)
    except LookupError:
        notes.append(f"unknown charset {charset!r}: read as UTF-8, unreadable characters replaced")
    except UnicodeDecodeError:
        notes.append(f"text not valid in its charset {charset!r}: unreadable characters replaced")
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("utf-8", errors="replace")


class _Parts:
    """Each part's Content-Type, disposition and file name, read once per message (the
    modern policy parses a header again each time it is asked for: most of a plain
    message's parsing time went there)."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[str, str, str]] = {}

    def facts(self, part: Message) -> tuple[str, str, str]:
        """(content type, disposition, file name) of a part of the message being read."""
        key = id(part)  # the parts live as long as the message being read
        found = self._seen.get(key)
        if found is None:
            try:
                filename = str(part.get_filename() or "")
            except Exception:  # a malformed parameter: no name
                filename = ""
            found = (part.get_content_type(), str(part.get_content_disposition() or ""), filename)
            self._seen[key] = found
        return found

    def content_type(self, part: Message) -> str:
        return self.facts(part)[0]

    def is_attachment(self, part: Message) -> bool:
        kind, disposition, filename = self.facts(part)
        maintype = kind.split("/", 1)[0]
        if maintype == "multipart":
            return False
        if disposition == "attachment" or filename:
            return True
        return maintype not in ("text", "message") and disposition != ""


def _body_text(msg: Message, notes: list[str], parts: _Parts | None = None) -> str:
    parts = parts or _Parts()
    plain: list[str] = []
    html_parts: list[str] = []
    for part in msg.walk():
        if part.is_multipart() or parts.is_attachment(part):
            continue
        kind = parts.content_type(part)
        if kind == "text/plain":
            plain.append(_decode(part, notes))
        elif kind == "text/html":
            html_parts.append(_decode(part, notes))
    if plain:
        return "\n\n".join(p.strip("\n") for p in plain).strip()
    if html_parts:
        notes.append("the message had only HTML: shown as text")
        return "\n\n".join(html_to_text(h) for h in html_parts).strip()
    return ""


def _is_attachment(part: Message) -> bool:
    return _Parts().is_attachment(part)


def _collect_attachments(msg: Message, parsed: Parsed, limit: int, parts: _Parts | None = None) -> None:
    parts = parts or _Parts()
    report = parts.content_type(msg) == "multipart/report"
    for part in msg.walk():
        if part.is_multipart():
            continue
        kind, _disposition, filename = parts.facts(part)
        maintype = kind.split("/", 1)[0]
        if not parts.is_attachment(part) and maintype in ("text", "multipart", "message"):
            continue
        if report and kind.startswith(("message/", "text/rfc822")):
            continue
        name = filename or f"attachment-{len(parsed.attachments) + 1}"
        try:
            data = part.get_payload(decode=True)
        except Exception as exc:
            data = None
            note = f"could not be decoded ({exc})"
        else:
            note = "" if isinstance(data, bytes) else "could not be decoded"
        if not isinstance(data, bytes):
            data = None
        size = len(data) if data is not None else len(str(part.get_payload() or ""))
        if data is not None and size > limit:
            data = None
            note = f"{size} bytes, over the limit of {limit} bytes: not stored"
        if note:
            parsed.notes.append(f"attachment {name!r}: {note}")
        parsed.attachments.append(ParsedAttachment(name, kind, size, data, note))


class _TextFromHtml(HTMLParser):
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "table", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.out.append("\n")
        if tag == "li":
            self.out.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


def html_to_text(markup: str) -> str:
    parser = _TextFromHtml()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # HTMLParser is lenient; this is a last resort
        return html.unescape(re.sub(r"<[^>]+>", " ", markup))
    lines = [" ".join(line.split()) for line in "".join(parser.out).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
