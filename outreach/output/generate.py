"""The main job: a plan in; call scripts, plan.csv, skipped.csv, calendars and invitations out.

Calls are handled rep by rep in plan order, and each script is written, put into its
calendar event and forgotten: memory holds the plan, not the rendered output."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from outreach.formats.calendars import CalendarWriter, CancelledCall, event_uid, events_by_uid
from outreach.formats.invites import build_invitation
from outreach.formats.tables import (
    PLAN_FIELDS,
    SKIPPED_FIELDS,
    csv_rows,
    csv_text,
    plan_row,
    skipped_row,
)
from outreach.model.plan import Call, LateApology, RepCalls, late_apologies, late_order
from outreach.model.records import Skip
from outreach.model.settings import Config
from outreach.model.zones import zone_info
from outreach.output.folder import OutputFolder
from outreach.output.naming import calendar_paths, script_paths
from outreach.output.paths import UnsafePath
from outreach.output.previous import PreviousCall
from outreach.output.sequence import (
    CallInputs,
    cancellations,
    content_digest,
    run_inputs,
    sequence_of,
)
from outreach.output.workers import run_tasks, worker_count
from outreach.planning.invitations import (
    INVITED_PLAYS,
    invitation_refusal,
    organizer_email,
    send_day,
)
from outreach.render.plaintext import plain_text
from outreach.render.scripts import ScriptRenderer, next_calls
from outreach.render.sheets import SheetCall, rep_day, rep_days, sheet_call, sheet_html

GENERATED_PLAN_FIELDS = (*PLAN_FIELDS, "script", "sequence", "digest", "inputs", "brief")
"""`brief` is the day sheet's, for `outreach agenda` to read back (with `account_value`)."""


@dataclass(frozen=True, slots=True)
class Options:
    out: Path
    now: datetime
    """The run's clock: DTSTAMP of every event, Date of every invitation, and the first day a
    draft may be sent (the calls were planned from it; see `invites.send_day`)."""
    templates: Path | None = None
    invites: bool = False
    force: bool = False
    previous: dict[str, PreviousCall] = field(default_factory=dict)
    previous_folder: Path | None = None
    """The folder `previous` was read from: when it is `out`, the files of calls that did not
    change stay as they are (see `_RepWriter._kept`)."""
    progress: Callable[[int], None] | None = field(default=None, compare=False)
    """Told of each call written, for a progress bar."""
    jobs: int | None = None
    """Processes to write with; None for one per core (small plans always use one)."""


@dataclass
class Summary:
    calls_by_play: Counter[str] = field(default_factory=Counter)
    calls_by_rep: Counter[str] = field(default_factory=Counter)
    skipped_by_kind: Counter[str] = field(default_factory=Counter)
    calendars: dict[str, str] = field(default_factory=dict)
    """Rep → their calendar's path, relative to the output folder."""
    scripts: int = 0
    invites: int = 0
    cancelled: int = 0
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    late: list[LateApology] = field(default_factory=list)
    """Apologies later than one business day after they could have been, by time."""
    invites_later: int = 0
    """Drafts not to be sent on the run's day, but later (in their send-<date> folder)."""
    next_send: date | None = None
    """The first of those later days."""


def write_outputs(
    calls: RepCalls,
    skipped: Sequence[Skip],
    config: Config,
    options: Options,
    folder: OutputFolder,
    extra: Iterable[str] = (),
) -> Summary:
    """Every output of `generate`, into `folder`; `extra` names files the caller adds before
    it finishes the folder."""
    cancelled = cancellations(calls.planned_ids(), options.previous) if options.previous else []
    calendars = calendar_paths(sorted({*calls.reps, *(record.owner for record in cancelled)}))
    writer = _RepWriter(calls, config, options, folder, calendars, cancelled)
    writer.renderer.check_templates()
    folder.claim([*calendars.values(), "plan.csv", "skipped.csv", *extra])
    if _in_place(options):  # the earlier run's calendars, where they are as it wrote them
        earlier = {path: folder.previous.get(path) for path in calendars.values()}
        writer.earlier = {path: digest for path, digest in earlier.items() if digest}
    if folder.foreign:  # --force beside a user's files: a clash stops the run before any write
        for rep in calendars:
            folder.refuse_foreign(writer.paths_of(rep, calls.calls_of(rep)))
    summary = _write_all(calls, options, folder, writer)
    summary.warnings[:0] = folder.warnings
    folder.write(
        "skipped.csv", "".join(csv_text(SKIPPED_FIELDS, map(skipped_row, skipped))).encode()
    )
    summary.skipped_by_kind.update(skip.kind for skip in skipped)
    return summary


def _in_place(options: Options) -> bool:
    """Whether this run writes into the folder of the run it follows."""
    try:
        return bool(options.previous_folder and options.previous_folder.samefile(options.out))
    except OSError:
        return False


def _write_all(
    calls: RepCalls, options: Options, folder: OutputFolder, writer: _RepWriter
) -> Summary:
    reps = list(writer.calendars)
    workers = worker_count(options.jobs, calls.weights().total())
    written = run_tasks(writer, reps, workers, options.progress)
    summary = Summary(
        calendars=dict(writer.calendars), cancelled=sum(map(len, writer.gone_of.values()))
    )
    warnings: dict[str, str] = {}
    for part in written:
        folder.take_part(part.manifest_part)
        summary.calls_by_play.update(part.calls_by_play)
        summary.calls_by_rep.update(part.calls_by_rep)
        summary.invites += part.invites
        warnings.update(part.warnings)
        summary.late += part.late
        summary.invites_later += part.invites_later
        if part.next_send and (summary.next_send is None or part.next_send < summary.next_send):
            summary.next_send = part.next_send
    summary.late.sort(key=late_order)
    summary.scripts = summary.calls_by_rep.total()
    summary.warnings = [warnings[rep] for rep in reps if rep in warnings]
    with folder.stream("plan.csv") as plan_csv:
        plan_csv.write(next(csv_text(GENERATED_PLAN_FIELDS, [])).encode())
        for rep in reps:  # each rep's rows were written aside; joined here in the plan's order
            plan_csv.write(folder.scratch_take(writer.rows_name(rep)))
    return summary


@dataclass
class _Written:
    """What was written for one rep: the manifest part of its files, and counts for the summary."""

    manifest_part: str = ""
    calls_by_play: Counter[str] = field(default_factory=Counter)
    calls_by_rep: Counter[str] = field(default_factory=Counter)
    invites: int = 0
    warnings: dict[str, str] = field(default_factory=dict)
    late: list[LateApology] = field(default_factory=list)
    invites_later: int = 0
    next_send: date | None = None


class _RepWriter:
    """Writes a rep's scripts, calendar, invitations and plan.csv rows. A worker process gets
    its own copy, and compiles its own templates."""

    def __init__(
        self,
        calls: RepCalls,
        config: Config,
        options: Options,
        folder: OutputFolder,
        calendars: dict[str, str],
        cancelled: list[CancelledCall],
    ) -> None:
        self.calls, self.config, self.folder, self.calendars = calls, config, folder, calendars
        self.options = replace(options, progress=None)  # the progress bar stays in the parent
        self.renderer = ScriptRenderer(config, options.templates)
        self.run_inputs = run_inputs(config, self.renderer.finder.sources_digest())
        self.earlier: dict[str, str] = {}
        """Calendar path → its digest in the manifest, on a rerun into the earlier run's folder."""
        self._index = {rep: index for index, rep in enumerate(calendars)}
        self.gone_of: dict[str, list[CancelledCall]] = defaultdict(list)
        for record in cancelled:
            self.gone_of[record.owner].append(record)

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "renderer": None}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.renderer = ScriptRenderer(self.config, self.options.templates)

    def rows_name(self, rep: str) -> str:
        """The scratch file where the rep's plan.csv rows wait to be joined in order."""
        return f"{self._index[rep]}.csv"

    def __call__(self, rep: str, tick: Callable[[], None]) -> _Written:
        result = _Written()
        self._write_rep(rep, self.calls.calls_of(rep), result, tick)
        # What a rep needed is dropped before the next: memory holds one rep's worth.
        result.manifest_part = self.folder.set_aside(f"{self._index[rep]}")
        return result

    def _write_rep(
        self, rep: str, calls: list[Call], result: _Written, tick: Callable[[], None]
    ) -> None:
        gone = self.gone_of[rep]
        scripts = script_paths(self._folder_of(rep), calls)
        invites = self._invite_paths(calls, scripts)
        sheets = self._sheet_paths(rep, calls)
        self.folder.journal(
            [*scripts.values(), *(path for path, _ in invites.values()), *sheets.values()]
        )
        result.late += late_apologies(calls)
        following = next_calls(calls)  # a contact's calls are all its rep's
        calendar = CalendarWriter.for_calls(
            self.config, rep, calls, now=self.options.now, cancelled=gone
        )
        rows: list[tuple[str, ...]] = []
        events = self._earlier_events(self.calendars[rep], calendar.dtstamp)
        inputs_of = CallInputs(self.run_inputs)
        write = self.folder.refresh if self.earlier else self.folder.write

        def written() -> Iterator[SheetCall]:
            """Each call's script, event, invitation and plan.csv row written, in plan order
            (an unchanged call's script kept as it is); the call as its day sheet shows it."""
            for call in calls:
                inputs = inputs_of.of(call, following.get(call.id))
                kept = self._kept(call, scripts[call.id], inputs)
                if kept:
                    sequence, digest, script = kept
                    event = events.get(event_uid(call.id, self.config), b"")
                    if f"\r\nSEQUENCE:{sequence}\r\n".encode() not in event:  # none, or stale
                        event = calendar.event(call, plain_text(script), sequence)
                else:
                    script = self.renderer.render(call, following.get(call.id))
                    sequence, digest = sequence_of(call, script, self.options.previous)
                    write(scripts[call.id], script.encode())
                    event = calendar.event(call, plain_text(script), sequence)
                ics.write(event)
                result.invites += self._invite(call, invites.get(call.id), sequence, result)
                result.calls_by_play[call.play] += 1
                result.calls_by_rep[call.owner] += 1
                on_sheet = sheet_call(call)
                brief = "\n".join(on_sheet.brief)
                rows.append(
                    (*plan_row(call), scripts[call.id], str(sequence), digest, inputs, brief)
                )
                tick()
                yield on_sheet

        zone = self.config.rep_timezone(rep)
        with self.folder.stream(self.calendars[rep]) as ics:
            ics.write(calendar.header())
            # A day's sheet is written once its last call is: memory holds one day of sheets.
            for day, of_day in rep_days(written(), zone):
                write(sheets[day], sheet_html(rep, zone, day, of_day).encode())
            for record in gone:
                ics.write(calendar.cancellation(record))
            ics.write(calendar.footer())
        self.folder.scratch_write(
            self.rows_name(rep), csv_rows(GENERATED_PLAN_FIELDS, rows).encode("utf-8")
        )

    def _earlier_events(self, path: str, dtstamp: str) -> dict[str, bytes]:
        """The events of the earlier run's calendar at `path`, by UID, if it is as written and
        on this run's clock (every event's DTSTAMP)."""
        digest = self.earlier.get(path)
        data = self.folder.as_written(path, digest) if digest else None
        if not data or f"\r\nDTSTAMP:{dtstamp}\r\n".encode() not in data:
            return {}
        return events_by_uid(data)

    def _kept(self, call: Call, path: str, inputs: str) -> tuple[int, str, str] | None:
        """The call's SEQUENCE, content digest and script as the earlier run in this folder
        wrote them, when everything its script is made of is unchanged (`inputs`) and the
        script is still there as written: it is then neither rendered nor rewritten."""
        earlier = self.options.previous.get(call.id)
        if earlier is None or earlier.inputs != inputs:
            return None
        try:
            data = self.folder.files.read(path)
            script = data.decode()
        except (OSError, UnsafePath, UnicodeDecodeError):
            return None
        if content_digest(call, script) != earlier.digest:
            return None
        self.folder.keep(path, data)
        return earlier.sequence, earlier.digest, script

    def paths_of(self, rep: str, calls: list[Call]) -> list[str]:
        """Every script and invitation path of the rep's calls."""
        scripts = script_paths(self._folder_of(rep), calls)
        drafts = self._invite_paths(calls, scripts).values()
        sheets = self._sheet_paths(rep, calls).values()
        return [*scripts.values(), *(path for path, _ in drafts), *sheets]

    def _sheet_paths(self, rep: str, calls: list[Call]) -> dict[date, str]:
        """The rep's day → `sheets/<rep>/<day>.html`, for each of the rep's days with calls."""
        zone = self.config.rep_timezone(rep)
        days = sorted({rep_day(call.start, zone) for call in calls})
        return {day: f"sheets/{self._folder_of(rep)}/{day.isoformat()}.html" for day in days}

    def _folder_of(self, rep: str) -> str:
        """The name of the rep's folders of scripts and invitations: their calendar's."""
        return self.calendars[rep].removeprefix("calendars/").removesuffix(".ics")

    def _invite_paths(
        self, calls: list[Call], scripts: dict[str, str]
    ) -> dict[str, tuple[str, date]]:
        """Call id → its invitation draft, `invites/<rep>/send-<day>/`, named as the script
        of the call it proposes (the folder says which day to send it), and that day."""
        if not self.options.invites:
            return {}
        paths = {}
        for call in calls:
            if invitation_refusal(self.config, call) is None:
                rep, _, name = scripts[call.id].removeprefix("scripts/").rpartition("/")
                day = send_day(self.config, call, self.options.now)
                path = f"invites/{rep}/send-{day.isoformat()}/{name.removesuffix('.md')}.eml"
                paths[call.id] = (path, day)
        return paths

    def _invite(
        self, call: Call, draft: tuple[str, date] | None, sequence: int, result: _Written
    ) -> int:
        """Writes the call's invitation draft, if it gets one; how many were written."""
        if not self.options.invites:
            return 0
        if draft is None:
            # Only a missing rep address is worth a warning: other refusals are the playbook.
            wanted = (
                call.play in INVITED_PLAYS
                and call.contact.status == "lapsed"
                and call.contact.email
            )
            if wanted and organizer_email(self.config, call.owner) is None:
                result.warnings[call.owner] = (
                    f"no invitations for {call.owner}'s contacts: the rep has no e-mail address; "
                    f'set reps."{call.owner}".email in the settings'
                )
            return 0
        path, day = draft
        body = self.renderer.render_invite(call)
        email = build_invitation(self.config, call, body, now=self.options.now, sequence=sequence)
        (self.folder.refresh if self.earlier else self.folder.write)(path, email)
        if (
            day
            > self.options.now.astimezone(zone_info(self.config.rep_timezone(call.owner))).date()
        ):
            result.invites_later += 1
            result.next_send = day if result.next_send is None else min(result.next_send, day)
        return 1
