"""The stages joined up: a contacts file and settings in; a plan, and the files it becomes, out."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from outreach.errors import OutreachError
from outreach.intake.contacts import read_contacts
from outreach.model.plan import Call, LateApology, Plan, late_apologies, late_order
from outreach.model.records import ACTIVE_STATUSES, Contact, Skip
from outreach.model.settings import Config
from outreach.model.text import shortened, shown
from outreach.summary import CheckReport

if TYPE_CHECKING:
    from outreach.formats.report import Figures
    from outreach.formats.results import RepResults
    from outreach.intake.outcomes import OutcomeReader
    from outreach.model.outcomes import CallOutcome
    from outreach.output.generate import Options, Summary
    from outreach.output.logged import Logged
    from outreach.output.outcomes import Tally
    from outreach.output.publish import RepCalendar, RepPublished, Target
    from outreach.planning.campaign import CampaignPlan
    from outreach.planning.scheduler import Roster
    from outreach.render.sheets import SheetCall

# What only some commands need (files, the report, templates) is imported by them, when they
# run: `outreach check` stays quick to start.


def default_start(now: datetime, config: Config) -> date:
    """The next business day after today, today being the date in the default zone."""
    from outreach.planning.business_days import BusinessDays

    today = now.astimezone(ZoneInfo(config.schedule.timezone)).date()
    return BusinessDays(config.schedule).next_on_or_after(today + timedelta(days=1))


def load(path: Path, config: Config) -> tuple[list[Contact], list[Skip]]:
    contacts: list[Contact] = []
    rejected: list[Skip] = []
    for item in read_contacts(path, config):
        if isinstance(item, Contact):
            contacts.append(item)
        else:
            rejected.append(item)
    return contacts, rejected


def check_file(
    path: Path, config: Config, progress: Callable[[int], None] | None = None
) -> CheckReport:
    """Validate every row, streaming: memory does not grow with the file."""
    report = CheckReport(str(path))
    for item in read_contacts(path, config):
        if isinstance(item, Skip):
            report.rejected.append(item)
        elif item.status in ACTIVE_STATUSES:
            report.to_call += 1
        else:
            report.suppressed += 1
        if progress:
            progress(1)
    return report


def plan_file(path: Path, config: Config, start: date, now: datetime | None = None) -> Plan:
    return roster_file(path, config, start, now).plan()


def roster_file(
    path: Path,
    config: Config,
    start: date,
    now: datetime | None = None,
    logged: Logged | None = None,
) -> Roster:
    """The file's contacts triaged, each rep's calls to be scheduled when wanted: none sooner
    than the lead time after the run's clock `now`, each contact going on from the outcomes
    `logged` for their calls."""
    from outreach.planning.scheduler import make_roster

    contacts, rejected = load(path, config)
    history = logged.history(contacts, config, now) if logged and now else None
    return make_roster(contacts, config, start, str(path), rejected, now, history)


def rep_parts(
    roster: Roster,
    render: Callable[[list[Call]], str],
    jobs: int | None = None,
    late: list[LateApology] | None = None,
) -> Iterator[str]:
    """`render` of each rep's calls, in plan order; the late apologies are added to `late`.
    Reps are scheduled and rendered in worker processes, as generate does (`render` must be
    picklable: a module's function)."""
    from outreach.output.workers import run_tasks, worker_count

    found: list[LateApology] = []
    workers = worker_count(jobs, roster.weights().total())
    for text, rep_late in run_tasks(partial(_rendered, render, roster), roster.reps, workers):
        found += rep_late
        yield text
    if late is not None:
        late += sorted(found, key=late_order)


def _rendered(
    render: Callable[[list[Call]], str], roster: Roster, rep: str, tick: Callable[[], None]
) -> tuple[str, list[LateApology]]:
    calls = roster.calls_of(rep)
    return render(calls), late_apologies(calls)


def generate_files(roster: Roster, config: Config, options: Options) -> Summary:
    from outreach.output.folder import output_folder
    from outreach.output.generate import write_outputs

    with output_folder(options.out, options.force) as folder:
        summary = write_outputs(roster, roster.skipped, config, options, folder)
        summary.removed = folder.finish()
    return summary


@dataclass(frozen=True, slots=True)
class CampaignRun:
    campaign: CampaignPlan
    summary: Summary
    figures: Figures


def run_campaign(
    path: Path,
    config: Config,
    first: date,
    last: date,
    options: Options,
    logged: Logged | None = None,
) -> CampaignRun:
    """A campaign over [first, last]: the outputs of generate, the CRM file and the report;
    each contact going on from the outcomes `logged` for their calls."""
    import jinja2

    from outreach.formats.crm import next_accounts
    from outreach.formats.report import figures, report_html
    from outreach.formats.results import contact_owners, results
    from outreach.output.folder import output_folder
    from outreach.output.generate import write_outputs
    from outreach.planning.campaign import plan_campaign
    from outreach.render.templates import builtin_templates_dir

    contacts, rejected = load(path, config)
    history = logged.history(contacts, config, options.now) if logged else None
    campaign = plan_campaign(
        contacts, config, first, last, str(path), rejected, options.now, history
    )
    with output_folder(options.out, options.force) as folder:
        summary = write_outputs(
            campaign.plan.by_rep(),
            campaign.plan.skipped,
            config,
            options,
            folder,
            extra=("accounts.next.csv", "report.html"),
        )
        with folder.stream("accounts.next.csv") as sink:
            for chunk in next_accounts(path, campaign.plan, config, campaign.standings):
                sink.write(chunk)
        made: tuple[RepResults, ...] = ()
        if logged is not None and logged.outcomes:
            owners = contact_owners(
                ((c.contact.key, c.owner) for c in campaign.plan.calls), campaign.plan.skipped
            )
            made = results(logged.outcomes, owners, campaign.plan.skipped)
        data = figures(
            campaign.plan,
            campaign.name,
            first,
            last,
            config,
            summary.calendars,
            tuple(s.advice() for s in campaign.shortfalls),
            made,
        )
        folder.write(
            "report.html",
            report_html(data, jinja2.FileSystemLoader(builtin_templates_dir())).encode(),
        )
        summary.removed = folder.finish()
    return CampaignRun(campaign, summary, data)


def log_outcome(
    folder: Path,
    config: Config,
    clock: datetime,
    call_id: str,
    outcome: str,
    at: str = "",
    note: str = "",
    callback: str = "",
    promises: Sequence[str] = (),
    dues: Sequence[str] = (),
) -> tuple[CallOutcome, bool]:
    """One outcome of a call of the plan in `folder`, with the promises made on it (each due
    on the date of `dues` in the same place), added to its outcomes.csv; whether it was new.
    Problem names the field that is wrong."""
    from outreach.intake.outcomes import Problem
    from outreach.output.outcomes import outcomes_log

    logged = _outcome_reader(folder, config, clock).read(
        call_id, outcome, at, note, callback, clock, promises, dues
    )
    if problem := logged.against_clock(clock):
        raise Problem(*problem)
    with outcomes_log(folder) as book:
        return logged, book.add(logged)


def log_outcome_file(folder: Path, source: Path, config: Config, clock: datetime) -> Tally:
    """Every outcome of the file `source` for the plan in `folder`, added to its outcomes.csv."""
    from outreach.output.outcomes import log_lines

    reader = _outcome_reader(folder, config, clock)
    return log_lines(folder, reader.read_file(source), str(source), clock)


def _outcome_reader(folder: Path, config: Config, clock: datetime) -> OutcomeReader:
    from outreach.intake.outcomes import OutcomeReader
    from outreach.output.previous import read_previous

    plan = read_previous(folder, "outreach log")
    return OutcomeReader(plan, str(folder / "plan.csv"), config, clock)


def calendars_to_publish(folder: Path, config: Config, url: str | None) -> list[RepCalendar]:
    """The reps' calendars in an output folder, read and checked, each with its URL: `url`
    with `{rep}` replaced, or the rep's own `caldav_url`."""
    from outreach.output.publish import rep_calendars

    return rep_calendars(folder, config, url)


def publish_folder(
    calendars: list[RepCalendar],
    config: Config,
    target: Target,
    progress: Callable[[int], None] | None = None,
) -> Iterator[RepPublished]:
    """Each rep's calendar put on the CalDAV server, a rep at a time."""
    from outreach.output.publish import publish

    return publish(calendars, config, target, progress)


@dataclass(frozen=True, slots=True)
class RepDay:
    """A rep's calls on one of their days, and the next day they have calls after it."""

    rep: str
    zone: str
    day: date
    calls: list[SheetCall]
    next_day: date | None


def agenda(
    folder: Path, config: Config, now: datetime, rep: str | None, day: date | None
) -> list[RepDay]:
    """The day sheet of `rep` (any case; every rep of the plan in `folder` when None) for
    `day`, or for today where the rep is."""
    from outreach.output.previous import read_sheets
    from outreach.render.sheets import rep_day

    planned = read_sheets(folder)
    reps = list(planned)
    if rep is not None:
        reps = [name for name in planned if name.casefold() == rep.casefold()]
        if not reps:
            known = shortened([repr(name) for name in planned], 20) or "none"
            raise OutreachError(
                f"{folder / 'plan.csv'}: no calls for a rep {shown(rep)!r}; its reps: {known}"
            )
    days = []
    for name in reps:
        calls = planned[name]
        zone = config.rep_timezone(name)
        wanted = day or now.astimezone(ZoneInfo(zone)).date()
        later = (on for call in calls if (on := rep_day(call.start, zone)) > wanted)
        days.append(
            RepDay(
                name,
                zone,
                wanted,
                [call for call in calls if rep_day(call.start, zone) == wanted],
                min(later, default=None),
            )
        )
    return days
