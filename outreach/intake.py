"""CSV rows in, validated `Contact` records or `Skip`s out, one row at a time.

Raw CSV dicts never leave this module. The file is streamed: only one row is in memory,
plus a fingerprint per contact and per account for the duplicate checks."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from outreach import values
from outreach.columns import REQUIRED, map_headers
from outreach.config import Config
from outreach.errors import InputError
from outreach.records import FAULTS, STATUSES, Contact, Skip

MAX_CELL = 10_000
"""Longest cell we accept, in characters: past that a value is a broken export, not a note."""

DELIMITERS = (",", ";", "\t")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # long cells get a row error, not a crash


def read_contacts(path: Path, config: Config) -> Iterator[Contact | Skip]:
    """Every data row of the file, as a Contact or as a Skip saying what is wrong with it.

    File-level faults (missing, unreadable, no header, a required column absent, no rows)
    raise InputError."""
    with _open_text(path) as handle:
        first = handle.readline()
        if not first.strip("\r\n\ufeff\0 "):
            raise InputError(path, "the file is empty: expected a header row naming the columns")
        if "\0" in first or _undecodable(first):
            raise InputError(path, "not a CSV text file (UTF-8 or UTF-16 with a BOM)", line=1)
        delimiter = max(DELIMITERS, key=first.count)
        lines = _without_nul(_chain(first, handle))
        reader = csv.reader(lines, delimiter=delimiter)
        header = next(reader)
        validator = _Validator(path, header, config)
        rows = 0
        next_line = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                rows += 1
                yield Skip(str(path), next_line, "rejected", f"cannot read the row: {error}")
                next_line = reader.line_num + 1
                continue
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue  # a blank line is not a row
            rows += 1
            yield validator.read(cells, line)
        if rows == 0:
            raise InputError(path, "the file has a header but no data rows")


@contextmanager
def _open_text(path: Path) -> Iterator[IO[str]]:
    try:
        with path.open("rb") as raw:
            start = raw.read(4)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a CSV file") from None
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from None
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, errors = "utf-16", "strict"
    else:
        # Undecodable bytes become lone surrogates, so that one bad row is rejected, not the file.
        encoding, errors = "utf-8-sig", "surrogateescape"
    try:
        with path.open(encoding=encoding, errors=errors, newline="") as handle:
            yield handle
    except UnicodeError as error:
        raise InputError(path, f"cannot decode the file as {encoding}: {error}") from None


def _chain(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest


def _without_nul(lines: Iterable[str]) -> Iterator[str]:
    """NUL bytes are dropped: some exporters pad with them, and csv refuses them."""
    for line in lines:
        yield line.replace("\0", "") if "\0" in line else line


def _undecodable(text: str) -> bool:
    return not text.isascii() and any("\udc80" <= ch <= "\udcff" for ch in text)


class _Validator:
    """Turns one row of cells into a Contact, or a Skip naming the first problem found."""

    def __init__(self, path: Path, header: list[str], config: Config) -> None:
        self.path = str(path)
        self.config = config
        self.header = [h.strip() for h in header]
        self.fields = map_headers(self.header, config.columns)
        self.width = len(header)
        self._check_columns(path)
        self.index = {name: i for i, name in enumerate(self.fields) if name is not None}
        self.extra_columns = [
            i for i, name in enumerate(self.fields) if name is None and self.header[i]
        ]
        self.contacts_seen: set[int] = set()
        self.accounts_seen: dict[int, tuple[int, int]] = {}
        self.parsers: dict[str, Callable[[str], Any]] = {
            "incident_date": self._date,
            "last_contact": self._date,
            "account_value": values.parse_money,
            "attempts": values.parse_count,
            "timezone": values.parse_zone,
            "phone": values.parse_phone,
            "email": values.parse_email,
            "status": lambda text: values.parse_choice(text, STATUSES, "status"),
            "fault": lambda text: values.parse_choice(text, FAULTS, "fault"),
            "options": values.parse_options,
        }

    def _date(self, text: str) -> Any:
        return values.parse_date(text, self.config.input.day_first)

    def _check_columns(self, path: Path) -> None:
        seen: dict[str, str] = {}
        for header, name in zip(self.header, self.fields, strict=True):
            if name is None:
                continue
            if name in seen:
                raise InputError(
                    path, f"columns {seen[name]!r} and {header!r} both read as {name}", line=1
                )
            seen[name] = header
        required = list(REQUIRED)
        if not self.config.input.default_owner:
            required.append("owner")
        missing = [name for name in required if name not in seen]
        if missing:
            found = ", ".join(repr(h) for h in self.header) or "none"
            hint = " (or set input.default_owner)" if missing == ["owner"] else ""
            raise InputError(
                path,
                f"required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing{hint}; "
                f"columns found: {found}",
                line=1,
            )

    def read(self, cells: list[str], line: int) -> Contact | Skip:
        if len(cells) > self.width and any(cell.strip() for cell in cells[self.width :]):
            return self._skip(
                line, None, f"the row has {len(cells)} fields, the header has {self.width}"
            )
        cells = cells + [""] * (self.width - len(cells))
        for i, cell in enumerate(cells[: self.width]):
            name = self.fields[i] or self.header[i]
            if len(cell) > MAX_CELL:
                return self._skip(
                    line, name, f"is {len(cell):,} characters long; at most {MAX_CELL:,} are read"
                )
            if _undecodable(cell):
                return self._skip(line, name, "is not UTF-8 text; save the export as UTF-8")
        raw = {name: cells[i].strip() for name, i in self.index.items()}
        if not raw.get("owner") and self.config.input.default_owner:
            raw["owner"] = self.config.input.default_owner
        for name in (*REQUIRED, "owner"):
            if not raw.get(name):
                return self._skip(line, name, "is empty", raw)
        parsed: dict[str, Any] = {}
        for name, text in raw.items():
            if not text:
                continue
            parse = self.parsers.get(name)
            try:
                parsed[name] = parse(text) if parse else text
            except ValueError as error:
                return self._skip(line, name, str(error), raw)
        parsed.setdefault("timezone", self.config.schedule.timezone)
        extra = tuple(
            (self.header[i], cells[i].strip()) for i in self.extra_columns if cells[i].strip()
        )
        contact = Contact(line=line, extra=extra, **parsed)
        return self._check_duplicates(contact) or contact

    def _check_duplicates(self, contact: Contact) -> Skip | None:
        # Fingerprints rather than the values, so that a million rows fit in little memory.
        contact_print = hash(contact.key)
        if contact_print in self.contacts_seen:
            return self._skip(
                contact.line,
                "contact_name",
                f"duplicate contact {contact.contact_name!r} in account {contact.account_id!r}",
                contact,
            )
        account_print = hash(contact.account_id)
        first = self.accounts_seen.get(account_print)
        company_print = hash(contact.company.casefold())
        if first is None:
            self.accounts_seen[account_print] = (contact.line, company_print)
        elif first[1] != company_print:
            return self._skip(
                contact.line,
                "company",
                f"{contact.company!r} differs from the company on line {first[0]}, "
                f"the first row of account {contact.account_id!r}",
                contact,
            )
        self.contacts_seen.add(contact_print)
        return None

    def _skip(self, line: int, field: str | None, reason: str, row: Any = None) -> Skip:
        def pick(name: str) -> str | None:
            value = row.get(name) if isinstance(row, dict) else getattr(row, name, None)
            return value or None

        return Skip(
            self.path,
            line,
            "rejected",
            reason,
            field,
            pick("account_id"),
            pick("contact_name"),
            pick("owner"),
        )
