"""CSV rows in, validated `Contact` records or `Skip`s out, one row at a time.

Raw CSV dicts never leave this module. Rows are streamed (see csvrows); kept across rows is
only a hash per contact and per account for the duplicate checks."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Iterator
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal

from outreach.errors import InputError
from outreach.intake import cells
from outreach.intake.columns import REQUIRED, normalize_header
from outreach.intake.csvrows import Broken, open_rows, undecodable
from outreach.intake.owncolumns import own_fields
from outreach.model.phone import doubt, parse_country, read_phone, zone_region
from outreach.model.plays import parse_stage, stage_of
from outreach.model.records import FAULTS, STATUSES, Contact, Skip, fold
from outreach.model.settings import Config
from outreach.model.text import noun_for, shortened, shown

MAX_CELL = 10_000
"""Longest cell we accept, in characters: past that a value is a broken export, not a note."""
_SHOWN_COLUMNS = 12
_log = logging.getLogger(__name__)
_NFC: repeat[Literal["NFC"]] = repeat("NFC")


def read_contacts(path: Path, config: Config) -> Iterator[Contact | Skip]:
    """Every data row of the file, as a Contact or as a Skip saying what is wrong with it.

    File-level faults (missing, unreadable, no header, a required column absent, no rows)
    raise InputError."""
    with open_rows(path) as rows:
        validator = _Validator(path, rows.header, rows.header_line, config)
        count = 0
        for row in rows:
            if isinstance(row, Broken):
                count += 1
                yield validator.broken(row)
            elif "".join(row[1]).strip():  # a blank line is not a row
                count += 1
                yield validator.read(row[1], row[0])
    if count == 0:
        raise InputError(path, "the file has a header but no data rows")


# Validating rows.


class _Validator:
    """Turns one row of cells into a Contact, or a Skip naming the first problem found."""

    def __init__(self, path: Path, header: list[str], line: int, config: Config) -> None:
        self.path = str(path)
        self.config = config
        self.header = [h.strip() for h in header]
        self.fields = own_fields(path, self.header, config.columns)
        self.width = len(header)
        self._check_columns(path, line)
        self.index = {name: i for i, name in enumerate(self.fields) if name is not None}
        self._names = tuple(self.index)
        self._known = itemgetter(*self.index.values())  # the known fields' cells, in C
        self.extra_columns = _extra_columns(self.header, self.fields)
        self.normalized_header = [normalize_header(h) for h in self.header]
        self.contacts_seen: set[int] = set()
        self._recent: dict[str, str] = {}
        self.accounts_seen: dict[int, int] = {}
        self.default_region = config.default_region
        self.parsers: dict[str, Callable[[str], Any]] = {
            "incident_date": self._date,
            "last_contact": self._date,
            "account_value": self._money,
            "attempts": cells.parse_count,
            "outreach_attempts": cells.parse_count,
            "outreach_check_ins": cells.parse_count,
            "role": cells.parse_role,
            "timezone": cells.parse_zone,
            "country": parse_country,
            "email": cells.parse_email,
            "status": lambda text: cells.parse_choice(text, STATUSES, "status"),
            "fault": lambda text: cells.parse_choice(text, FAULTS, "fault"),
            "options": cells.parse_options,
            "stage": lambda text: stage_of(*parse_stage(text)),
            "stage_date": self._date,
            "outreach_promises": lambda text: cells.parse_promises(
                text, self.config.input.day_first
            ),
        }

    def _date(self, text: str) -> Any:
        return cells.parse_date(text, self.config.input.day_first)

    def _money(self, text: str) -> Any:
        return cells.parse_money(text, self.config.input.currency)

    def _check_columns(self, path: Path, line: int) -> None:
        seen: dict[str, str] = {}
        for header, name in zip(self.header, self.fields, strict=True):
            if name is None:
                continue
            if name in seen:
                raise InputError(
                    path, f"columns {seen[name]!r} and {header!r} both read as {name}", line=line
                )
            seen[name] = header
        required = list(REQUIRED)
        if not self.config.input.default_owner:
            required.append("owner")
        missing = [name for name in required if name not in seen]
        if missing:
            hint = " (or set input.default_owner)" if missing == ["owner"] else ""
            if _looks_like_data(self.header):
                hint += f"; line {line} looks like a row of data: is the header row missing?"
            raise InputError(
                path,
                f"required {noun_for(len(missing), 'column')} {', '.join(missing)} missing; "
                f"columns found: {_listed(self.header)}{hint}",
                line=line,
            )

    def column_name(self, column: int | None) -> str | None:
        if column is None:
            return None
        if column < self.width:
            return self.fields[column] or self.header[column] or f"column {column + 1}"
        return f"column {column + 1}"

    def broken(self, row: Broken) -> Skip:
        reason = row.reason
        if row.again is not None:
            reason += f"; reading goes on from line {row.again}"
        return self._skip(row.line, self.column_name(row.column), reason)

    def read(self, cells: list[str], line: int) -> Contact | Skip:
        width = self.width
        short = ""
        if len(cells) > width:
            if any(cell.strip() for cell in cells[width:]):
                return self._skip(
                    line, None, f"the row has {len(cells)} fields, the header has {width}"
                )
            cells = cells[:width]
        elif len(cells) < width:
            short = f" (the row has {len(cells)} fields, the header has {width})"
            cells = cells + [""] * (width - len(cells))
        if max(map(len, cells)) > MAX_CELL:
            i = next(i for i, cell in enumerate(cells) if len(cell) > MAX_CELL)
            return self._skip(
                line,
                self.column_name(i),
                f"is {len(cells[i]):,} characters long; at most {MAX_CELL:,} are read",
            )
        if undecodable("".join(cells)):
            i = next(i for i, cell in enumerate(cells) if undecodable(cell))
            return self._skip(
                line, self.column_name(i), "is not UTF-8 text; save the export as CSV UTF-8"
            )
        # Stripped, and in Unicode NFC: a name typed composed (`é`) or decomposed (`e` and a
        # combining accent) is one name, in every comparison and output. In C: +3% to check.
        known = map(unicodedata.normalize, _NFC, map(str.strip, self._known(cells)))
        raw = dict(zip(self._names, known, strict=True))
        if not raw.get("owner") and self.config.input.default_owner:
            raw["owner"] = self.config.input.default_owner
        for name in (*REQUIRED, "owner"):
            if not raw.get(name):
                return self._skip(line, name, "is empty" + short, raw)
        parsed: dict[str, Any] = {}
        for name, text in raw.items():
            if not text:
                continue
            parse = self.parsers.get(name)
            try:
                parsed[name] = parse(text) if parse else self._shared(text)
            except ValueError as error:
                if self._repeats_header(cells):
                    return self._skip(line, None, "the row repeats the header: two files joined?")
                return self._skip(line, name, str(error), raw)
        if "phone" in parsed:
            try:
                parsed["dial"] = read_phone(parsed["phone"], self._region(parsed))
            except ValueError as error:
                return self._skip(line, "phone", str(error), raw)
        parsed.setdefault("timezone", self.config.schedule.timezone)
        if "outreach_attempts" in parsed:  # for drop.max_attempts, every try counts
            parsed["attempts"] = parsed.get("attempts", 0) + parsed.pop("outreach_attempts")
        if "outreach_check_ins" in parsed:
            parsed["check_ins"] = parsed.pop("outreach_check_ins")
        if "outreach_promises" in parsed:
            parsed["promises"] = parsed.pop("outreach_promises")
        extra = tuple(
            (name, cells[i].strip()) for i, name in self.extra_columns if cells[i].strip()
        )
        contact = Contact(line=line, extra=extra, **parsed)
        duplicate = self._check_duplicates(contact)
        if duplicate:
            return duplicate
        if contact.dial and (warning := doubt(contact.dial, raw["phone"])):
            _log.warning("%s:%d: phone: %s", self.path, line, warning)
        return contact

    def _region(self, parsed: dict[str, Any]) -> str | None:
        """Where a number typed without its country code is dialled: the row's country, else
        the country of the row's time zone, else input.phone_region or the default zone's."""
        if "country" in parsed:
            return str(parsed["country"])
        zone = parsed.get("timezone")
        return (zone_region(zone) if zone else None) or self.default_region

    # Kept: without it generate and plan take 12-18% more memory at 10k (issue 15: within 10%).
    def _shared(self, text: str) -> str:
        """One string for a value many rows repeat (an account's incident, the owner)."""
        known = self._recent.get(text)
        if known is None:
            if len(self._recent) >= 8192:
                self._recent.clear()
            known = self._recent[text] = text
        return known

    def _repeats_header(self, cells: list[str]) -> bool:
        return [normalize_header(cell) for cell in cells] == self.normalized_header

    def _check_duplicates(self, contact: Contact) -> Skip | None:
        # Hashes, the company's and the line packed in one int: a million rows checked in 200 MB.
        company = hash(fold(contact.company)) & 0x7FFF_FFFF
        first = self.accounts_seen.setdefault(
            hash(contact.account_id), company << 32 | contact.line & 0xFFFF_FFFF
        )
        if first >> 32 != company:
            return self._skip(
                contact.line,
                "company",
                f"{contact.company!r} differs from the company on line {first & 0xFFFF_FFFF}, "
                f"the first row of account {contact.account_id!r}",
                contact,
            )
        key = hash(contact.key)
        if key in self.contacts_seen:
            return self._skip(
                contact.line,
                "contact_name",
                f"duplicate contact {contact.contact_name!r} in account {contact.account_id!r}",
                contact,
            )
        self.contacts_seen.add(key)
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
            *self._status_and_value(row),
        )

    def _status_and_value(self, row: Any) -> tuple[Any, Any]:
        """What the report lists a rejected row by: its status and value, where they read."""
        if isinstance(row, Contact):
            return row.status, row.account_value
        return self._read_or_none(row, "status"), self._read_or_none(row, "account_value")

    def _read_or_none(self, row: Any, name: str) -> Any:
        text = row.get(name) if isinstance(row, dict) else None
        try:
            return self.parsers[name](text) if text else None
        except ValueError:
            return None


def _extra_columns(header: list[str], fields: list[str | None]) -> list[tuple[int, str]]:
    """Columns we do not know, by header; a repeated header gets a number: `Region (2)`."""
    extra: list[tuple[int, str]] = []
    times: dict[str, int] = {}
    for i, (name, field) in enumerate(zip(header, fields, strict=True)):
        if field is None and name:
            times[name] = times.get(name, 0) + 1
            extra.append((i, name if times[name] == 1 else f"{name} ({times[name]})"))
    return extra


def _listed(header: list[str]) -> str:
    if not header:
        return "none"
    return shortened([repr(shown(h, 40)) for h in header], _SHOWN_COLUMNS)


def _looks_like_data(header: list[str]) -> bool:
    """A header holding a status, a time zone, an e-mail address or a date is a row of data."""
    checks: tuple[Callable[[str], object], ...] = (
        lambda text: cells.parse_choice(text, STATUSES, "status"),
        cells.parse_zone,
        cells.parse_email,
        cells.parse_date,
    )
    for cell in header[:100]:
        for check in checks:
            try:
                check(cell)
            except ValueError:
                continue
            return True
    return False
