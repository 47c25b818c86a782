"""iCalendar content lines written by hand, byte for byte as icalendar's `to_ical()` writes them.

icalendar folds long lines one character at a time, which is most of its cost for an event
whose DESCRIPTION holds a whole call script (issue 7). These functions build the same bytes
with string methods: `escape_text` follows RFC 5545 TEXT escaping, `fold` cuts a line's
UTF-8 encoding into 74-octet pieces (icalendar's limit) without splitting a character, and
moves a trailing `\\` or `^` onto the next piece as icalendar does, so no escape sequence
straddles a fold. tests/test_calendars.py compares whole calendars with icalendar's output.

Two deliberate differences from icalendar, both in what reaches the escaping, not in it:

- icalendar first turns a literal backslash-N into a line break (`C:\\New` reads back as
  `C:` and a new line); `escape_text` keeps the backslash, so every value round-trips;
- control characters other than tab and line breaks are dropped: RFC 5545 TEXT forbids
  them, and strict parsers reject the file. CR LF and a bare CR become a line break (TEXT
  has no escape for CR), so they can never end a content line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import quote

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_TEXT_ESCAPES = (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n"))  # backslash first
_PARAM_QUOTABLE = re.compile("[,;:’]")  # the characters icalendar quotes a parameter for
_PARAM_UNSAFE = re.compile('[\x00-\x1f\x7f"]')

FOLD_OCTETS = 74
"""Longest physical line icalendar writes: it folds before a line would reach 75 octets."""
_CONTINUATION = b"\r\n "
_ESCAPE_STARTS = (0x5C, 0x5E)  # backslash (TEXT escapes) and caret (RFC 6868 escapes)
_CONTINUATION_BYTE = 0xC0, 0x80  # mask and value of a UTF-8 byte that continues a character
# An ASCII line's pieces: 74 octets while more follow, one less where the 74th would start
# an escape (it goes to the next line with what it escapes), and the rest at the end.
_ASCII_PIECES = re.compile(rb"(?s).{73}[^\\^](?=.)|.{73}(?=[\\^].)|.+")


def clean_text(value: str) -> str:
    """The text as it will read back: line breaks as LF, no other control characters."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _has_control(value):
        value = _CONTROL.sub("", value)
    return value


def _has_control(value: str) -> bool:
    # A whole script goes through here once per event: bytes.translate scans ASCII text
    # five times faster than the regular expression does.
    if value.isascii():
        data = value.encode("ascii")
        return len(data.translate(None, _CONTROL_BYTES)) != len(data)
    return _CONTROL.search(value) is not None


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped (RFC 5545 3.3.11)."""
    value = clean_text(value)
    for special, escaped in _TEXT_ESCAPES:
        if special in value:
            value = value.replace(special, escaped)
    return value


def clean_param(value: str) -> str:
    """A parameter value (a CN) on one line: no controls, line breaks or double quotes.

    RFC 6868 could carry them, but few clients decode it; a name loses nothing by this.
    """
    if _PARAM_UNSAFE.search(value):
        value = " ".join(_PARAM_UNSAFE.sub(" ", value.replace('"', "'")).split())
    return value


def param_value(value: str, *, quote_for: str = "") -> str:
    """A cleaned parameter value, escaped and quoted as icalendar does.

    `quote_for` lists characters that force quotes (icalendar quotes a CN holding a space
    or an apostrophe).
    """
    escaped = value.replace("^", "^^")
    if _PARAM_QUOTABLE.search(escaped) or any(char in value for char in quote_for):
        return f'"{escaped}"'
    return escaped


def common_name(name: str) -> str:
    """The `CN=` parameter for a person's display name."""
    return "CN=" + param_value(clean_param(name), quote_for=" '")


def local_time(moment: datetime) -> str:
    """DATE-TIME in the moment's own zone, for use with a TZID parameter."""
    return f"{moment.year:04d}{moment.month:02d}{moment.day:02d}T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"


def utc_time(moment: datetime) -> str:
    """DATE-TIME in UTC with the `Z` suffix; `moment` must be aware."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> bytes:
    """One content line as UTF-8, folded the way icalendar's `_foldline` folds it."""
    data = line.encode()
    if len(data) <= FOLD_OCTETS:
        return data
    if data.isascii():  # no character to keep whole: one scan (a script is 80 lines of it)
        return _CONTINUATION.join(_ASCII_PIECES.findall(data))
    mask, continuation = _CONTINUATION_BYTE
    pieces = []
    start = 0
    size = len(data)
    while size - start > FOLD_OCTETS:
        end = start + FOLD_OCTETS
        while data[end] & mask == continuation:  # never split a character
            end -= 1
        if data[end - 1] in _ESCAPE_STARTS:  # keep `\,` or `^^` together on the next line
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return _CONTINUATION.join(pieces)


def content_lines(lines: Iterable[str]) -> bytes:
    """Unfolded content lines as folded bytes, each ended by CRLF."""
    return b"".join([fold(line) + b"\r\n" for line in lines])


def mailto(address: str) -> str:
    """A `mailto:` URI for an address (RFC 6068): characters of an address that a URI gives
    a meaning to (`%`, `/`, `?`, `#`, `&`, `=`, …) are percent-encoded."""
    return "mailto:" + quote(address, safe="!$'()*+,;:@")
