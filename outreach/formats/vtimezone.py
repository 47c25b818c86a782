"""VTIMEZONE components that every calendar client reads the same way.

icalendar's `add_missing_timezones()` writes one observance with a multi-valued
`RDATE:…,…,…` line per offset. ical.js (Thunderbird, Nextcloud) and vobject keep only the
first value and Outlook ignores RDATE altogether, so a Sydney call lands an hour off there.
This module writes what Google's exports write instead:

- a zone with a current daylight-saving rule gets one STANDARD and one DAYLIGHT observance,
  each a yearly RRULE ("second Sunday of March at 02:00", BYDAY=2SU or BYDAY=-1SU for the
  last one), derived from the zone's real transitions and checked against every one of them
  over the years the events cover (and one year either side);
- a zone whose transitions follow no such rule in those years (Casablanca's Ramadan
  changes, a zone that abolishes daylight saving) gets one observance per transition, each
  with a single DTSTART and never an RDATE, after one for the offset in force at the start;
- a zone without transitions gets a single fixed STANDARD observance;
- zones that are plain UTC (UTC, Etc/UTC, …) get none: their times are written with `Z`,
  as icalendar writes them.

An observance is DAYLIGHT when its transition moves the clocks forward, so Europe/Dublin's
"negative" winter time still reads as STANDARD, the way clients expect.

Each block is computed once per zone and year range in a run (`functools.cache`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.timezone.tzid import tzid_from_tzinfo

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FIXED_ONSET = datetime(1970, 1, 1)  # noqa: DTZ001 - VTIMEZONE onsets are local wall-clock times
_SCAN_STEP = timedelta(hours=12)  # shorter than any real gap between two transitions


@dataclass(frozen=True, slots=True)
class Transition:
    """A change of a zone's UTC offset or abbreviation."""

    onset: datetime
    """Naive wall-clock time just before the change, in the offset it leaves."""
    offset_from: timedelta
    offset_to: timedelta
    name: str

    @property
    def forward(self) -> bool:
        return self.offset_to > self.offset_from


@cache
def writes_as_utc(zone: str) -> bool:
    """Whether icalendar writes times in this zone as UTC (`…Z`), needing no VTIMEZONE."""
    return tzid_from_tzinfo(ZoneInfo(zone)) == "UTC"


def scanned_years(first_year: int, last_year: int) -> range:
    """The years whose transitions a VTIMEZONE for events in first..last year describes.

    One year before covers the observance in force on 1 January; one after makes a rule
    that fits only by chance over one or two years less likely (4th Sunday vs last Sunday).
    """
    return range(first_year - 1, last_year + 2)


def transitions(zone: str, years: range) -> list[Transition]:
    """Every transition of `zone` in `years`, in order, found by scanning zoneinfo."""
    tz = ZoneInfo(zone)
    start = datetime(years.start, 1, 1, tzinfo=UTC)
    end = datetime(years.stop, 1, 1, tzinfo=UTC)
    found: list[Transition] = []
    before = start
    state = _state(before, tz)
    while before < end:
        after = min(before + _SCAN_STEP, end)
        later = _state(after, tz)
        if later != state:
            found.append(_locate(before, after, state, tz))
            state = later
        before = after
    return found


def _state(instant: datetime, tz: ZoneInfo) -> tuple[timedelta, str]:
    local = instant.astimezone(tz)
    return local.utcoffset() or timedelta(0), local.tzname() or ""


def _locate(
    before: datetime, after: datetime, state: tuple[timedelta, str], tz: ZoneInfo
) -> Transition:
    """Bisect to the first second in (before, after] whose state differs from `state`."""
    low, high = int(before.timestamp()), int(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if _state(datetime.fromtimestamp(middle, UTC), tz) == state:
            low = middle
        else:
            high = middle
    instant = datetime.fromtimestamp(high, UTC)
    offset_to, name = _state(instant, tz)
    onset = (instant + state[0]).replace(tzinfo=None)
    return Transition(onset, state[0], offset_to, name)


def offset_at(zone: str, year: int) -> tuple[timedelta, str]:
    """Offset and abbreviation in force at the start of `year` (UTC)."""
    return _state(datetime(year, 1, 1, tzinfo=UTC), ZoneInfo(zone))


def yearly_rule(onsets: list[datetime]) -> tuple[int, str] | None:
    """(BYMONTH, BYDAY) that produces exactly these onsets, one per year, or None.

    All onsets must share month, weekday and time of day, and be the same nth weekday of
    the month (2SU) or all the last one (-1SU). When both fit, a fourth weekday that is
    always the last reads as the last (Chatham, like the EU, changes on the last Sunday).
    """
    first = onsets[0]
    years = [onset.year for onset in onsets]
    if years != list(range(first.year, first.year + len(onsets))):
        return None
    if any(
        (o.month, o.weekday(), o.time()) != (first.month, first.weekday(), first.time())
        for o in onsets
    ):
        return None
    weekday = _WEEKDAYS[first.weekday()]
    nths = {(onset.day - 1) // 7 + 1 for onset in onsets}
    all_last = all((onset + timedelta(days=7)).month != onset.month for onset in onsets)
    if all_last:
        return first.month, f"-1{weekday}"
    if len(nths) == 1 and (nth := nths.pop()) <= 4:
        return first.month, f"{nth}{weekday}"
    return None


@cache
def vtimezone_ical(zone: str, first_year: int, last_year: int) -> bytes:
    """The serialized VTIMEZONE for events in `zone` between the two years (inclusive)."""
    return bytes(vtimezone(zone, first_year, last_year).to_ical())


def vtimezone(zone: str, first_year: int, last_year: int) -> Timezone:
    """A new VTIMEZONE component for events in `zone` between the two years (inclusive)."""
    if writes_as_utc(zone):
        raise ValueError(f"{zone} is written as UTC and needs no VTIMEZONE")
    years = scanned_years(first_year, last_year)
    found = transitions(zone, years)
    component = Timezone()
    component.add("tzid", zone)
    if not found:
        offset, name = offset_at(zone, years.start)
        component.add_component(_observance(False, _FIXED_ONSET, offset, offset, name))
        return component
    rules = _rules(found, years)
    if rules is not None:
        for observance in rules:
            component.add_component(observance)
        return component
    offset, name = offset_at(zone, years.start)
    start = datetime(years.start, 1, 1) + offset  # noqa: DTZ001 - local wall-clock time
    if start < found[0].onset:
        component.add_component(_observance(False, start, offset, offset, name))
    for change in found:
        component.add_component(
            _observance(
                change.forward, change.onset, change.offset_from, change.offset_to, change.name
            )
        )
    return component


def _rules(
    found: list[Transition], years: range
) -> list[TimezoneStandard | TimezoneDaylight] | None:
    """Two yearly RRULE observances, when the transitions follow a standard/daylight rule."""
    groups: dict[tuple[timedelta, timedelta, str], list[Transition]] = defaultdict(list)
    for change in found:
        groups[(change.offset_from, change.offset_to, change.name)].append(change)
    if len(groups) != 2 or any(len(group) != len(years) for group in groups.values()):
        return None
    observances: list[TimezoneStandard | TimezoneDaylight] = []
    for group in sorted(groups.values(), key=lambda g: g[0].onset):
        rule = yearly_rule([change.onset for change in group])
        if rule is None:
            return None
        first = group[0]
        observance = _observance(
            first.forward, first.onset, first.offset_from, first.offset_to, first.name
        )
        month, day = rule
        observance.add("rrule", {"FREQ": "YEARLY", "BYMONTH": month, "BYDAY": day})
        observances.append(observance)
    if observances[0].name == observances[1].name:  # two forward (or backward) steps: no DST
        return None
    return observances


def _observance(
    daylight: bool, onset: datetime, offset_from: timedelta, offset_to: timedelta, name: str
) -> TimezoneStandard | TimezoneDaylight:
    observance = TimezoneDaylight() if daylight else TimezoneStandard()
    observance.add("dtstart", onset)
    observance.add("tzoffsetfrom", offset_from)
    observance.add("tzoffsetto", offset_to)
    if name:
        observance.add("tzname", name)
    return observance
