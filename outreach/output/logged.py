"""The outcomes logged for a run's calls, read in: the --outcomes files, and outcomes.csv of
the --previous folder, against the calls of the previous plan and of the contacts' sequences.
What they say makes each contact's standing (planning.history)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from outreach.intake.outcomes import OutcomeReader, PlannedCall
from outreach.model.outcomes import MISSED, CallOutcome
from outreach.model.plan import call_id
from outreach.model.plays import Play
from outreach.model.records import Contact, Skip
from outreach.model.settings import Config
from outreach.output.folder import OUTCOMES
from outreach.output.previous import PreviousCall
from outreach.planning.history import History, possible_calls


@dataclass
class Logged:
    """Where a run finds the outcomes of earlier calls; `rejected` gets the lines that are
    wrong, once read (their file, line, field and reason)."""

    files: Sequence[Path] = ()
    previous: Mapping[str, PreviousCall] = field(default_factory=dict)
    folder: Path | None = None
    """The --previous folder: its outcomes.csv is read too, when there is one."""
    rejected: list[Skip] = field(default_factory=list)
    outcomes: list[CallOutcome] = field(default_factory=list)
    """The outcomes read, once read."""
    made: set[str] = field(default_factory=set)
    """The calls made (or ended by the contact), once read: history, neither planned nor
    cancelled again."""

    def still_planned(self) -> dict[str, PreviousCall]:
        """The previous plan's calls not made: a calendar moves those it keeps, cancels the rest."""
        return {cid: call for cid, call in self.previous.items() if cid not in self.made}

    def history(self, contacts: Sequence[Contact], config: Config, now: datetime) -> History | None:
        """The outcomes and the previous plan, for the contacts' standings; None without
        either."""
        if not (self.files or self.previous):
            return None
        calls = _Calls(self.previous, contacts, config, now)
        outcomes = self.outcomes
        files = list(self.files)
        if self.folder is not None and (self.folder / OUTCOMES).is_file():
            files.insert(0, self.folder / OUTCOMES)
        for path in files:
            reader = OutcomeReader(calls, "this run's contacts or the --previous plan", config, now)
            for item in reader.read_file(path):
                if isinstance(item, Skip):
                    self.rejected.append(item)
                else:
                    outcomes.append(item[1])
        self.made = {o.call_id for o in outcomes if o.outcome not in ("callback", *MISSED)}
        starts = {cid: call.start for cid, call in self.previous.items()}
        return History(outcomes, starts, config.plays, now)


@dataclass(frozen=True, slots=True)
class _Possible:
    """A call a contact's sequence may hold, not in the previous plan: an outcome logged for
    it without a time counts as made at the run's clock."""

    account_id: str
    contact_name: str
    play: Play
    start: datetime
    timezone: str


class _Calls(Mapping[str, PlannedCall]):
    """The calls outcomes may name, by id: the previous plan's, then, looked for only when an
    id is not there, every call the contacts' sequences may come to hold."""

    def __init__(
        self,
        previous: Mapping[str, PreviousCall],
        contacts: Sequence[Contact],
        config: Config,
        now: datetime,
    ) -> None:
        self._previous, self._contacts, self._config, self._now = previous, contacts, config, now
        self._possible: dict[str, tuple[Contact, Play]] | None = None

    def _all(self) -> dict[str, tuple[Contact, Play]]:
        if self._possible is None:
            self._possible = {
                call_id(contact.account_id, contact.contact_name, play, step): (contact, play)
                for contact in self._contacts
                for play, step in possible_calls(contact, self._config.plays)
            }
        return self._possible

    def __getitem__(self, key: str) -> PlannedCall:
        found = self._previous.get(key)
        if found is not None:
            return found
        contact, play = self._all()[key]
        return _Possible(
            contact.account_id, contact.contact_name, play, self._now, contact.timezone
        )

    def __iter__(self) -> Iterator[str]:
        yield from self._previous
        yield from (key for key in self._all() if key not in self._previous)

    def __len__(self) -> int:
        return sum(1 for _ in self)
