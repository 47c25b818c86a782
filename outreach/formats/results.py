"""What the calls made so far came to, rep by rep (issue 16, point 9): for the end of a run
and for report.html."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from outreach.model.outcomes import MISSED, OUTCOMES, CallOutcome
from outreach.model.plays import PLAYS
from outreach.model.records import Skip, fold
from outreach.model.text import terminal_text

NOBODY = MISSED | {"wrong_number"}
"""Outcomes of calls that reached nobody the rep meant to speak to."""


@dataclass(frozen=True, slots=True)
class RepResults:
    rep: str
    made: int
    """Calls logged: every try, reached or not."""
    reached: int
    by_play: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]
    """Play → (outcome, calls), in the playbook's and the outcomes' order."""
    won_back: int
    """Contacts won back: `won_back`, or the substantial offer `agreed`."""
    unreachable: int
    refused: int

    @property
    def reached_rate(self) -> str:
        return f"{100 * self.reached / self.made:.0f}%" if self.made else "-"


def results(
    outcomes: Iterable[CallOutcome], owners: Mapping[tuple[str, str], str], skipped: Iterable[Skip]
) -> tuple[RepResults, ...]:
    """Each rep's results, from the outcomes of their contacts' calls (`owners`: contact key →
    rep) and the contacts the outcomes stopped (`skipped`)."""
    made: Counter[str] = Counter()
    reached: Counter[str] = Counter()
    plays: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    won: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for outcome in outcomes:
        key = (outcome.account_id, fold(outcome.contact_name))
        rep = owners.get(key)
        if rep is None:  # a contact no longer in the input
            continue
        made[rep] += 1
        reached[rep] += outcome.outcome not in NOBODY
        plays[rep][outcome.play, outcome.outcome] += 1
        if outcome.outcome == "won_back" or (
            outcome.play == "substantial_offer" and outcome.outcome == "agreed"
        ):
            won[rep].add(key)
    stopped = Counter((skip.owner or "", skip.kind) for skip in skipped)
    reps = sorted(set(made) | {rep for rep, kind in stopped if kind in ("unreachable", "refused")})
    return tuple(
        RepResults(
            rep,
            made[rep],
            reached[rep],
            tuple(
                (play, tuple((o, n) for o in OUTCOMES if (n := plays[rep][play, o])))
                for play in PLAYS
                if any(p == play for p, _ in plays[rep])
            ),
            len(won[rep]),
            stopped[rep, "unreachable"],
            stopped[rep, "refused"],
        )
        for rep in reps
    )


def results_lines(reps: Iterable[RepResults]) -> Iterator[str]:
    """The results for the end of a run, a line per rep."""
    for rep in reps:
        plays = "; ".join(
            f"{play} " + ", ".join(f"{n} {outcome}" for outcome, n in counts)
            for play, counts in rep.by_play
        )
        yield (
            f"  {terminal_text(rep.rep)}: {rep.made} made, {rep.reached} reached "
            f"({rep.reached_rate}); {plays or 'none logged'}; won back {rep.won_back}, "
            f"unreachable {rep.unreachable}, refused {rep.refused}"
        )


def contact_owners(
    known: Iterable[tuple[tuple[str, str], str]], skipped: Iterable[Skip]
) -> dict[tuple[str, str], str]:
    """Contact key → rep: the reps of the contacts with calls (`known`), and of the skipped
    rows that name one."""
    owners = dict(known)
    for skip in skipped:
        if skip.owner and skip.account_id and skip.contact_name:
            owners.setdefault((skip.account_id, fold(skip.contact_name)), skip.owner)
    return owners
