"""The main job: a plan in; call scripts, plan.csv, skipped.csv, calendars and invitations out."""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from outreach.config import Config
from outreach.exports import PLAN_FIELDS, SKIPPED_FIELDS, csv_text, plan_row, skipped_row
from outreach.naming import slug
from outreach.output import OutputFolder
from outreach.plan import Call, Plan
from outreach.previous import PreviousCall
from outreach.scripts import ScriptRenderer

GENERATED_PLAN_FIELDS = (*PLAN_FIELDS, "script", "sequence", "digest")


@dataclass(frozen=True, slots=True)
class Options:
    out: Path
    now: datetime
    """The run's clock: DTSTAMP of every event, Date of every invitation."""
    templates: Path | None = None
    invites: bool = False
    force: bool = False
    previous: dict[str, PreviousCall] = field(default_factory=dict)


@dataclass
class Summary:
    calls_by_play: Counter[str] = field(default_factory=Counter)
    calls_by_rep: Counter[str] = field(default_factory=Counter)
    skipped_by_kind: Counter[str] = field(default_factory=Counter)
    calendars: list[str] = field(default_factory=list)
    scripts: int = 0
    invites: int = 0
    cancelled: int = 0
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def script_paths(calls: tuple[Call, ...]) -> dict[str, str]:
    """Call id → `scripts/<rep>/<date>_<company>_<contact>_<play>.md`, unique and stable."""
    paths: dict[str, str] = {}
    taken: set[str] = set()
    for call in calls:
        contact = call.contact
        stem = "_".join((call.start.date().isoformat(), slug(contact.company), slug(contact.contact_name),
                         call.play))  # fmt: skip
        path = f"scripts/{slug(call.owner)}/{stem}.md"
        if path in taken:  # two names that slug alike: the call's id tells them apart
            path = f"scripts/{slug(call.owner)}/{stem}-{call.id[:8]}.md"
        taken.add(path)
        paths[call.id] = path
    return paths


def next_calls(calls: tuple[Call, ...]) -> dict[str, Call]:
    """Call id → the same contact's next call, which scripts name as the check-back date."""
    by_contact: dict[tuple[str, str], list[Call]] = defaultdict(list)
    for call in calls:
        by_contact[call.contact.key].append(call)
    following: dict[str, Call] = {}
    for sequence in by_contact.values():
        sequence.sort(key=lambda c: c.start)
        following.update((a.id, b) for a, b in itertools.pairwise(sequence))
    return following


def content_digest(call: Call, script: str) -> str:
    """What a calendar shows of the call; when it changes, the event's SEQUENCE goes up."""
    text = "\x1f".join(
        (call.owner, call.start.isoformat(), call.end.isoformat(), call.timezone, script)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def generate(plan: Plan, config: Config, options: Options, folder: OutputFolder) -> Summary:
    renderer = ScriptRenderer(config, options.templates)
    renderer.check_templates()
    paths = script_paths(plan.calls)
    reps = sorted({call.owner for call in plan.calls})
    folder.claim([*paths.values(), "plan.csv", "skipped.csv"])

    summary = Summary()
    following = next_calls(plan.calls)
    with folder.stream("plan.csv") as plan_csv:
        for chunk in csv_text(
            GENERATED_PLAN_FIELDS,
            _plan_rows(plan, renderer, following, paths, options, folder, summary),
        ):
            plan_csv.write(chunk.encode())
    folder.write(
        "skipped.csv", "".join(csv_text(SKIPPED_FIELDS, map(skipped_row, plan.skipped))).encode()
    )
    summary.skipped_by_kind.update(skip.kind for skip in plan.skipped)
    summary.removed = folder.finish()
    del reps
    return summary


def _plan_rows(
    plan: Plan,
    renderer: ScriptRenderer,
    following: dict[str, Call],
    paths: dict[str, str],
    options: Options,
    folder: OutputFolder,
    summary: Summary,
) -> Iterator[dict[str, str]]:
    for call in plan.calls:
        script = renderer.render(call, following.get(call.id))
        folder.write(paths[call.id], script.encode())
        digest = content_digest(call, script)
        earlier = options.previous.get(call.id)
        sequence = 0 if earlier is None else earlier.sequence + (earlier.digest != digest)
        summary.calls_by_play[call.play] += 1
        summary.calls_by_rep[call.owner] += 1
        summary.scripts += 1
        yield {
            **plan_row(call),
            "script": paths[call.id],
            "sequence": str(sequence),
            "digest": digest,
        }
