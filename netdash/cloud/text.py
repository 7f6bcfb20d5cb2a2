"""Text that comes from a cloud (or any other stranger) is data: `visible` makes it safe to show.

Names, descriptions, tags and error messages are set by any user of a project. Written raw to a terminal,
`\\x1b[5m` would blink, `\\x1b]0;...\\x07` would retitle the window, a C1 CSI (`\\x9b`) would start a control
sequence, U+202E would reverse what follows it, and a lone surrogate would stop the print with an encoding
error. `visible` spells each such character out as a Python escape (`\\x1b`, `\\x9b`, `\\u202e`), so the
person reading sees that it is there and the terminal interprets nothing. Rich markup is a separate
concern: widgets and the CLI's tree build `Text` (literal) or escape markup themselves.
"""

from __future__ import annotations

import re

#: bidirectional embeddings, overrides, isolates and marks: they reorder the text around them
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: C0 and C1 controls and DEL, the line and paragraph separators, the bidi controls, surrogates
UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{BIDI}\ud800-\udfff]")


def escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control, separator, bidi and surrogate character written as its escape."""
    return UNSAFE.sub(escape_char, text)


def is_visible(text: str) -> bool:
    """True when `visible(text)` is `text` itself."""
    return UNSAFE.search(text) is None
