"""Stored text printed to a terminal, made harmless.

A summary or note typed by anyone (or arriving by mail) may hold escape sequences that a
terminal obeys: clear the screen, retitle the window, recolour, hide text, or fake the
lines around it. `printable` drops every escape sequence (CSI, OSC, DCS...), every other
control character except newline and tab, and the bidirectional overrides that reorder
what is shown. JSON output needs none of this: json.dumps escapes control characters.
"""

from __future__ import annotations

import re

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, clearing
    r"|\x1b[\]PX^_].*?(?:\x07|\x1b\\|$)"  # OSC, DCS, SOS, PM, APC up to their terminator
    r"|\x1b[ -/]*[0-~]?"  # other two-character escapes, or a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]",
    re.DOTALL,
)


def printable(text: object) -> str:
    """`text` as a terminal may show it: no escape sequences or control characters."""
    return _ESCAPES.sub("", str(text))
