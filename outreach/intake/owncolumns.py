"""Which columns of a contacts file outreach reads back as its own: a contact's stage.

`outreach campaign` writes `outreach_stage` and `outreach_stage_date` into accounts.next.csv;
versions before it wrote `stage` and `stage_date`, names a CRM uses for its own columns too
(every opportunity export has a sales `Stage`). So:

- a column named `outreach_stage` (or `outreach_stage_date`) is always outreach's, and any
  other column that would read as the same field is then the CRM's;
- otherwise a `stage` column is outreach's only when every value in it is a play stage
  (`apology`, `keep_in_touch 2`, …) or empty, and a `stage_date` column only when that
  `stage` column is outreach's: a file written by an earlier version continues where it was;
- a column mapped to `stage` in the settings' `[columns]` table is read as the user said.

A column that is not outreach's is the CRM's: kept untouched, and shown to templates as an
extra."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from outreach.intake.columns import map_headers, normalize_header
from outreach.intake.csvrows import Broken, open_rows
from outreach.model.plays import parse_stage

OWN_NAMES = {"stage": "outreach_stage", "stage_date": "outreach_stage_date"}


def own_fields(path: Path, header: Sequence[str], mapping: Mapping[str, str]) -> list[str | None]:
    """Our field name for each header, as map_headers, with the CRM's stage columns as None."""
    fields = map_headers(header, mapping)
    named = [normalize_header(h) for h in header]
    explicit = {normalize_header(crm) for crm in mapping}
    legacy: dict[str, int] = {}
    for field, own_name in OWN_NAMES.items():
        at = [i for i, name in enumerate(fields) if name == field]
        own = [i for i in at if named[i] == normalize_header(own_name)]
        for i in at:
            if own and i not in own:
                fields[i] = None  # outreach_stage is there: this one is the CRM's
            elif not own and named[i] not in explicit:
                legacy[field] = i
    stage = legacy.get("stage")
    if stage is not None and not _only_stages(path, stage):
        fields[stage] = None
        stage = None
    if stage is None and "stage_date" in legacy:
        fields[legacy["stage_date"]] = None
    return fields


def _only_stages(path: Path, column: int) -> bool:
    """Whether every value in the column is a play stage or empty; stops at the first other."""
    with open_rows(path) as rows:
        for row in rows:
            if isinstance(row, Broken) or column >= len(row[1]):
                continue
            value = row[1][column].strip()
            if value and not is_stage(value):
                return False
    return True


def is_stage(text: str) -> bool:
    try:
        parse_stage(text)
    except ValueError:
        return False
    return True
