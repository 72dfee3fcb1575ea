"""Message templates: shipped in resources/templates, overridable by an administrator.

A template is a text file: a `Subject:` line, a blank line, then the body.
Placeholders are `$name` (string.Template); an unknown placeholder is left as
written rather than failing a process step over a typo in a template.
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import platformdirs

from deskapp.resources import resource_path

KINDS = ("ticket_number", "info_request", "chaser", "resolution", "survey")


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class RenderedMessage:
    kind: str
    subject: str
    body: str


def override_dir() -> Path:
    """Where an administrator's edited templates live (checked before the shipped ones)."""
    env = os.environ.get("DESKAPP_TEMPLATE_DIR")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir("deskapp", appauthor=False)) / "templates"


def template_path(kind: str) -> Path:
    if kind not in KINDS:
        raise TemplateError(f"no message template called {kind!r} (known: {', '.join(KINDS)})")
    edited = override_dir() / f"{kind}.txt"
    return edited if edited.is_file() else resource_path("templates", f"{kind}.txt")


@lru_cache(maxsize=32)
def _read(path: Path, mtime_ns: int) -> str:
    # Keyed by modification time, so an administrator's edit is seen at once.
    return path.read_text(encoding="utf-8")


def render(kind: str, values: dict[str, object]) -> RenderedMessage:
    path = template_path(kind)
    text = _read(path, path.stat().st_mtime_ns)
    head, sep, body = text.partition("\n\n")
    if not sep or not head.startswith("Subject:"):
        raise TemplateError(f"{path}: a template starts with a 'Subject:' line and a blank line")
    fill = {key: "" if value is None else str(value) for key, value in values.items()}
    subject = string.Template(head.removeprefix("Subject:").strip()).safe_substitute(fill)
    return RenderedMessage(kind, subject, string.Template(body).safe_substitute(fill))
