"""A call's place among runs: the digest of what a calendar shows of it, its SEQUENCE against
the previous run's, the previous run's calls this run cancels, and the digest of what its
files are made of, by which a rerun knows them unchanged without making them again."""

from __future__ import annotations

import hashlib
from dataclasses import fields, replace

from outreach import version
from outreach.formats.calendars import PLAY_TITLES, CancelledCall, cancellation_order
from outreach.model.plan import Call
from outreach.model.settings import Config
from outreach.output.previous import PreviousCall


def content_digest(call: Call, script: str) -> str:
    """What a calendar shows of the call; when it changes, the event's SEQUENCE goes up."""
    text = "\x1f".join(
        (call.owner, call.start.isoformat(), call.end.isoformat(), call.timezone, script)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sequence_of(call: Call, script: str, previous: dict[str, PreviousCall]) -> tuple[int, str]:
    """The call's SEQUENCE and its content digest: 0 for a new call, one up from the previous
    run's when what the calendar shows changed."""
    digest = content_digest(call, script)
    earlier = previous.get(call.id)
    return (0 if earlier is None else earlier.sequence + (earlier.digest != digest)), digest


def cancellations(planned: set[str], previous: dict[str, PreviousCall]) -> list[CancelledCall]:
    """The calls an earlier run planned that this one does not: each is cancelled once."""
    return sorted(
        (
            CancelledCall(
                id=gone.id,
                owner=gone.owner,
                summary=f"{PLAY_TITLES[gone.play]} — {gone.contact_name}, {gone.company}",
                start=gone.start,
                end=gone.end,
                timezone=gone.timezone,
                sequence=gone.sequence,
            )
            for gone in previous.values()
            if gone.id not in planned
        ),
        key=cancellation_order,
    )


def run_inputs(config: Config, templates: str) -> str:
    """What every call's script is made of besides the call: this outreach, the settings and
    the templates (`templates`: the digest of their files). Not the run's clock: no script
    shows it (an event's DTSTAMP and an invitation's Date do)."""
    settings = repr(replace(config, source=""))  # where they were read from is no input
    text = "\x1f".join((version(), settings, templates))
    return hashlib.sha256(text.encode()).hexdigest()


_CALL_FIELDS = tuple(field.name for field in fields(Call) if field.name != "contact")


class CallInputs:
    """The digest of everything a call's script is made of: the run's inputs (`run_inputs`),
    the call, its contact's every field, and the contact's next call (the script's
    check-back date). Equal in two runs, the scripts are equal, and so are the events on the
    same clock. Each contact's fields are read once, not once per call: keep one for a rep's
    calls, not for all."""

    def __init__(self, run: str) -> None:
        self.run = run
        self._contacts: dict[int, str] = {}
        """Contact (by line) → the digest of its fields."""

    def of(self, call: Call, following: Call | None) -> str:
        """`following` is the same contact's next call, or None."""
        contact = self._contacts.get(call.contact.line)
        if contact is None:
            contact = hashlib.sha256(repr(call.contact).encode()).hexdigest()
            self._contacts[call.contact.line] = contact
        text = "\x1f".join((self.run, contact, _own_fields(call), _own_fields(following)))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _own_fields(call: Call | None) -> str:
    """The call's fields but its contact."""
    return "" if call is None else repr(tuple(getattr(call, name) for name in _CALL_FIELDS))
