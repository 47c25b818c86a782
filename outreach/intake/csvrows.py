"""The rows of a CSV export as text: its encoding, delimiter and header, each row with the
line it starts on, and the rows a quote left open swallowed, read again.

Streamed: in memory is one row, at most RUN_ON characters of it, whether it is one line or a
quoted cell runs over several; a longer line is passed over a chunk at a time."""

from __future__ import annotations

import csv
import re
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from outreach.errors import InputError

RUN_ON = 1_000_000
"""Most characters a row may hold. Past that, a row of several lines had a quote left open, and
a single line is not a row of a CRM export (a cell holds at most intake.MAX_CELL): either is
rejected without being read whole, so that memory stays bounded."""
LIKE_A_ROW = 8
"""Fewest columns for which a line inside a quoted cell with a delimiter per column is taken
for a row the quote swallowed; with fewer, a note with a few commas would look like one."""

DELIMITERS = (",", ";", "\t")
_SEP_LINE = re.compile(r'sep=([^"\w\r\n])')  # Excel's hint naming the delimiter, on the first line
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept as surrogates

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # long cells get a row error, not a crash


class CsvRows:
    """An open CSV export: its header, then its rows, each as (line, cells) or as Broken."""

    def __init__(self, path: Path, lines: Lines) -> None:
        self._lines = lines
        self.header, self.header_line, self.delimiter = _read_header(path, lines)

    def __iter__(self) -> Iterator[tuple[int, list[str]] | Broken]:
        return _rows(self._lines, self.delimiter, len(self.header))

    def text(self, row: tuple[int, list[str]] | Broken | None = None) -> str:
        """The row just read (the header, before any) as it is in the file, line ends included:
        for a Broken row, the lines up to where its quote opened, as the rest is read again."""
        lines = self._lines.row
        if isinstance(row, Broken) and row.again is not None:
            lines = lines[: row.again - row.line]
        return "".join(lines)


@contextmanager
def open_rows(path: Path) -> Iterator[CsvRows]:
    """The file opened and its header read; file-level faults raise InputError."""
    with open_text(path) as handle:
        lines = Lines(handle)
        try:
            yield CsvRows(path, lines)
        except UnicodeDecodeError as error:  # only UTF-16 is decoded strictly, a chunk at a time
            where = f" after line {lines.number}" if lines.number else ""
            raise InputError(
                path, f"cannot decode the text{where} as UTF-16: {error.reason}"
            ) from None


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def byte_order_mark(path: Path) -> tuple[bytes, str]:
    """The file's byte-order mark (empty for none) and the encoding of the text after it."""
    try:
        with path.open("rb") as raw:
            start = raw.read(4)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a CSV file") from None
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from None
    return next(((bom, name) for bom, name in _BOMS if start.startswith(bom)), (b"", "utf-8"))


@contextmanager
def open_text(path: Path) -> Iterator[IO[str]]:
    if byte_order_mark(path)[1].startswith("utf-16"):
        encoding, errors = "utf-16", "strict"  # which byte order: the mark, read by the codec
    else:
        # Undecodable bytes become lone surrogates, so that one bad row is rejected, not the file.
        encoding, errors = "utf-8-sig", "surrogateescape"
    try:
        with path.open(encoding=encoding, errors=errors, newline="") as handle:
            yield handle
    except UnicodeError as error:
        raise InputError(path, f"cannot decode the file as {encoding}: {error}") from None


def undecodable(text: str) -> bool:
    return not text.isascii() and _UNDECODABLE.search(text) is not None


# Reading rows: line numbers, and what a quote left open swallowed.


class _RunOn(Exception):
    """Raised into csv.reader when a row spanning several lines grows past RUN_ON characters."""


class _TooLong(Exception):
    """Raised into csv.reader when a line is longer than RUN_ON characters."""


class _Cut(str):
    """The first RUN_ON characters of a line that goes on past them; the rest was passed over."""


class Lines:
    """The file's lines for csv.reader, numbered as an editor numbers them, with NUL bytes dropped.

    The lines of the row being read are kept, so that the lines a quote left open swallowed can
    be handed out again and read as the rows they are."""

    def __init__(self, handle: Iterable[str]) -> None:
        readline = getattr(handle, "readline", None)  # an open file: read at most RUN_ON at once
        self._read: Callable[[], str] = (
            partial(readline, RUN_ON) if readline else partial(next, iter(handle), "")
        )
        self._again: deque[tuple[int, str]] = deque()
        self.number = 0
        """The number of the last line handed out."""
        self.row: list[str] = []
        """The lines of the row being read, as they are in the file."""
        self.first = 1
        """The number of the row's first line."""
        self.ended = False
        """The file ended while the row was being read: in a quoted cell, as csv reads only
        past the end of a line that leaves a quote open."""
        self._size = 0

    def __iter__(self) -> Lines:
        return self

    def __next__(self) -> str:
        if self._again:
            self.number, text = self._again.popleft()
        else:
            text = self._read()
            if not text:
                self.ended = True
                raise StopIteration
            self.number += 1
            if len(text) == RUN_ON and text[-1] not in "\r\n":
                while (rest := self._read()) and rest[-1] not in "\r\n":
                    pass  # the rest of the line, passed over
                text = _Cut(text)
        if not self.row:
            self.first = self.number
            self._size = 0
        self.row.append(text)
        if isinstance(text, _Cut):
            raise _TooLong
        self._size += len(text)
        if self._size > RUN_ON and len(self.row) > 1:
            raise _RunOn
        return text.replace("\0", "") if "\0" in text else text

    def new_row(self) -> None:
        self.row = []
        self.ended = False

    def again(self, start: int) -> None:
        """Hands out the row's lines from index start once more, before the rest of the file."""
        self._again.extendleft(
            reversed([(self.first + i, self.row[i]) for i in range(start, len(self.row))])
        )


@dataclass(frozen=True, slots=True)
class Broken:
    """A row csv read wrongly or not at all, because of a quote: where, which column and why."""

    line: int
    column: int | None
    reason: str
    again: int | None = None
    """The line reading goes on from, if the quote swallowed lines."""


def _reader(lines: Lines, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(lines, delimiter=delimiter)


def _read_header(path: Path, lines: Lines) -> tuple[list[str], int, str]:
    """The header row, its line and the delimiter; blank lines and a `sep=;` line before it are
    passed over."""
    delimiter = None
    while True:
        lines.new_row()
        try:
            text = next(lines, None)
        except _TooLong:
            raise InputError(
                path,
                f"the first line is longer than {RUN_ON:,} characters: not a header row",
                line=lines.number,
            ) from None
        if text is None:
            raise InputError(path, "the file is empty: expected a header row naming the columns")
        if not text.strip("\r\n\ufeff \t,;"):
            continue
        if "\0" in lines.row[-1]:
            raise InputError(
                path,
                "the first line holds NUL bytes: not CSV text (UTF-16 without a byte-order "
                "mark, or a spreadsheet file?); save the export as CSV UTF-8",
                line=lines.number,
            )
        sep = _SEP_LINE.fullmatch(text.rstrip("\r\n"))
        if sep and delimiter is None:
            delimiter = sep[1]
            continue
        break
    if undecodable(text):
        raise InputError(
            path, "the header is not UTF-8 text; save the export as CSV UTF-8", line=lines.number
        )
    delimiter = delimiter or max(DELIMITERS, key=text.count)
    lines.again(0)
    lines.new_row()
    broken: Broken | None
    try:
        header = next(_reader(lines, delimiter))
    except csv.Error as error:
        broken = Broken(lines.first, None, str(error))
    except _RunOn:
        broken = _still_open(lines, delimiter)
    except _TooLong:
        broken = _too_long(lines, delimiter)
    else:
        broken = _runaway(lines, delimiter, header, len(header))
        if broken is None:
            return header, lines.first, delimiter
    raise InputError(path, f"the header row cannot be read: {broken.reason}", line=lines.first)


def _rows(lines: Lines, delimiter: str, width: int) -> Iterator[tuple[int, list[str]] | Broken]:
    """The file's rows after the header, each with the line it starts on.

    A quote left open makes csv read the lines after it as one cell. When a row spanning lines
    shows that (see _runaway), or runs past RUN_ON characters, the row is rejected and reading
    goes on from the line after the one where the quote opened."""
    reader = _reader(lines, delimiter)
    while True:
        lines.new_row()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # csv goes on with the next line by itself
            yield Broken(lines.first, None, f"cannot read the row: {error}")
            continue
        except _RunOn:
            yield _still_open(lines, delimiter)
            reader = _reader(lines, delimiter)
            continue
        except _TooLong:
            yield _too_long(lines, delimiter)
            reader = _reader(lines, delimiter)
            continue
        broken = _runaway(lines, delimiter, cells, width)
        if broken is None:
            yield lines.first, cells
        else:
            yield broken
            reader = _reader(lines, delimiter)


def _runaway(lines: Lines, delimiter: str, cells: list[str], width: int) -> Broken | None:
    """A Broken if the row just read swallowed lines into a quote left open: the file ended in
    the quote, the quote closed on a later line with text after it, a line in it reads as a
    row, or it makes the row too long."""
    if len(lines.row) == 1 and not lines.ended:
        return None
    quotes = _Quotes(lines.row, delimiter)
    if quotes.closed_early is not None:
        opened, closed = quotes.closed_early
        return _swallowed(lines, opened, f"runs on into line {lines.first + closed}")
    if lines.ended:
        return _swallowed(lines, quotes.open_at[-1], "is never closed")
    if width >= LIKE_A_ROW:
        for i, text in enumerate(lines.row[1:], start=1):
            if text.count(delimiter) >= width - 1:
                what = f"runs on over line {lines.first + i}, which reads as a row of its own"
                return _swallowed(lines, quotes.open_at[i], what)
    if any(cell.strip() for cell in cells[width:]):
        what = f"runs on to line {lines.number}, making the row {len(cells)} fields long"
        return _swallowed(lines, quotes.open_at[1], what)
    return None


def _still_open(lines: Lines, delimiter: str) -> Broken:
    what = f"is still open {RUN_ON:,} characters later, on line {lines.number}"
    return _swallowed(lines, _Quotes(lines.row, delimiter).open_at[-1], what)


def _too_long(lines: Lines, delimiter: str) -> Broken:
    """The row is rejected at the cell its line runs past RUN_ON characters in; reading goes
    on from the next line, or from the line after an open quote that swallowed the long one."""
    quotes = _Quotes(lines.row, delimiter)
    if len(lines.row) > 1:
        what = f"runs on into line {lines.number}, which is longer than {RUN_ON:,} characters"
        return _swallowed(lines, quotes.open_at[-2], what)
    return Broken(
        lines.first,
        quotes.column,
        f"the line runs past {RUN_ON:,} characters in this cell; the row is not read",
    )


def _swallowed(lines: Lines, opened: tuple[int, int] | None, what: str) -> Broken:
    """The row is rejected; the lines after the one where its quote opened are read again."""
    if opened is None:  # csv and _Quotes disagree: say what we know, read nothing again
        return Broken(lines.first, None, "cannot read the row: a quoted cell is broken")
    index, column = opened
    again = lines.first + index + 1 if index + 1 < len(lines.row) else None
    lines.again(index + 1)
    return Broken(
        lines.first, column, f"the quote opened on line {lines.first + index} {what}", again
    )


class _Quotes:
    """Where the quoted cells of a row's lines open and close, read as csv reads them."""

    def __init__(self, row: list[str], delimiter: str) -> None:
        self.open_at: list[tuple[int, int] | None] = []
        """Per line, and once more for the end: the (line index, column) of the quote then open."""
        self.closed_early: tuple[tuple[int, int], int] | None = None
        self.column = 0
        """The column the last line ends in."""
        """The first quoted cell spanning lines that closes with text after its quote: where it
        opened and the index of the line where it closed."""
        token = re.compile('"|' + re.escape(delimiter))
        opened: tuple[int, int] | None = None
        column = 0
        for n, text in enumerate(row):
            self.open_at.append(opened)
            text = text.rstrip("\r\n")
            field_start = 0
            pos = 0
            while match := token.search(text, pos):
                i, pos = match.start(), match.end()
                if opened is None:
                    if match[0] == delimiter:
                        column += 1
                        field_start = pos
                    elif i == field_start:
                        opened = (n, column)
                elif match[0] == '"':
                    if text.startswith('"', pos):  # a doubled quote inside the cell
                        pos += 1
                        continue
                    if opened[0] < n and pos < len(text) and text[pos] != delimiter:
                        self.closed_early = self.closed_early or (opened, n)
                    opened = None
                    field_start = -1
        self.open_at.append(opened)
        self.column = column
