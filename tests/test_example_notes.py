"""The example file follows the docs' advice on notes (issue 13, point 7): every call
shows the notes, the small steps and keep-in-touch calls included, so a note about the
incident would bring it back in calls that must never mention it (playbook rule 8)."""

from __future__ import annotations

import csv
import re

from tests.factories import EXAMPLE

INCIDENT_WORDS = ("incident", "problem", "late", "invoice", "fail", "escalat", "complain",
                  "clash", "stock", "spoil", "torn", "wrong", "mistake", "sorry", "apolog",
                  "refund", "credit", "customs", "quote", "stain", "noticing")  # fmt: skip
INCIDENT_FIELDS = ("incident", "root_cause", "changes_made", "options")
GENERIC = frozenset({"account", "customer", "company"})


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w{6,}", text.casefold())) - GENERIC


def test_the_examples_notes_are_about_the_person_not_the_incident() -> None:
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sum(bool(row["notes"]) for row in rows) >= 6  # the example still shows notes
    for row in rows:
        notes = row["notes"].casefold()
        assert not [word for word in INCIDENT_WORDS if word in notes], row["notes"]
        incident = _words(" ".join(row[field] for field in INCIDENT_FIELDS))
        assert not _words(notes) & incident, row["notes"]
