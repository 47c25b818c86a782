"""The settings of a run, as typed values with their defaults; `outreach.config` reads them
from `outreach.toml` and checks them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from outreach.model.phone import parse_country, zone_region

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class InputSettings:
    day_first: bool = False
    """Read 03/04/2026 as 3 April rather than March 4."""
    default_owner: str | None = None
    """The rep for rows whose owner cell is empty; when unset, `owner` is required."""
    phone_region: str | None = None
    """Country (ISO 3166 code) of numbers typed without a country code, for rows with neither
    a country nor a time zone of their own; default: the country of schedule.timezone."""
    currency: str = "USD"
    """ISO 4217 code of account values typed without a currency, or with a bare `$`."""


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    timezone: str = "America/New_York"
    """Zone for contacts and reps that name none."""
    business_days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    call_minutes: int = 30
    buffer_minutes: int = 0
    """Free minutes a rep keeps after each call."""
    calls_per_day: int = 12
    """Most calls one rep makes on one of their own calendar days."""
    holiday_country: str | None = "US"
    """Public holidays of this country (ISO 3166 code, or with a region: "DE-BY") get no
    calls; empty for none."""
    holidays: tuple[date, ...] = ()
    """Extra dates without calls: company closures, local holidays."""
    min_lead_minutes: int = 60
    """No call starts sooner than this after the run's clock: time to read the brief."""

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(WEEKDAYS.index(day) for day in self.business_days)


@dataclass(frozen=True, slots=True)
class PlaySettings:
    follow_up_days: int = 3
    """Business days from the apology to the follow-up that checks each promised fix."""
    small_step_days: tuple[int, ...] = (14, 28)
    """Days between the follow-up and each small, low-risk step: growing intervals."""
    substantial_offer_days: int = 42
    """Days from the last small step to the substantial offer."""
    keep_in_touch_months: int = 3
    keep_in_touch_count: int = 4
    lapsed_cooldown_days: int = 30
    """No call to a lapsed contact sooner than this after their last contact."""
    upset_cooldown_days: int = 0
    """Likewise for upset contacts; none by default, urgency wins."""
    retry_days: int = 2
    """Business days within which a call that reached only voicemail or nobody is tried again
    (an apology: the next business day)."""
    max_tries: int = 3
    """Tries of one call that reach nobody before the contact's sequence stops (unreachable)."""
    manager_joins_above: Decimal | None = None
    """The rep's manager joins the apology to an account worth more than this (rule 16);
    none by default: only an escalated account gets the manager."""
    extra_offer: str | None = None
    """An approved offer the apology script adds to the options recorded for the contact
    (rule 17: options are approved before the call, never improvised on it)."""


@dataclass(frozen=True, slots=True)
class DropSettings:
    min_account_value: Decimal = Decimal(1000)
    """Accounts worth less are dropped: rebuilding them is not worth the effort."""
    max_attempts: int = 5
    """Accounts that were tried this many times are dropped."""
    do_not_call: tuple[str, ...] = ()
    """Phone numbers or e-mail addresses never to call."""


@dataclass(frozen=True, slots=True)
class CalendarSettings:
    reminder_minutes: int = 15
    uid_domain: str = "outreach.invalid"
    """Right-hand side of every event UID; set it to your company's domain."""


@dataclass(frozen=True, slots=True)
class InvitesSettings:
    min_notice_hours: int = 24
    """A call proposed by an invitation draft starts at least this long after the run's clock."""
    send_days_before: int = 14
    """A draft is to be sent no earlier than this many days before the call it proposes."""


@dataclass(frozen=True, slots=True)
class Rep:
    name: str
    timezone: str | None = None
    email: str | None = None
    time_off: tuple[tuple[date, date], ...] = ()
    holiday_country: str | None = None
    """The public holidays the rep does not work on, when not the team's (schedule's)."""
    manager: str | None = None
    """Who joins the rep's apologies when it matters (rule 16): a rep with their own entry."""
    caldav_url: str | None = None
    """The rep's calendar on a CalDAV server, for `outreach publish` (overrides --url)."""

    def is_off(self, day: date) -> bool:
        return any(first <= day <= last for first, last in self.time_off)


@dataclass(frozen=True, slots=True)
class Config:
    source: str = "built-in defaults"
    input: InputSettings = field(default_factory=InputSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    plays: PlaySettings = field(default_factory=PlaySettings)
    drop: DropSettings = field(default_factory=DropSettings)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    invites: InvitesSettings = field(default_factory=InvitesSettings)
    reps: Mapping[str, Rep] = field(default_factory=dict)
    columns: Mapping[str, str] = field(default_factory=dict)
    """CRM header → our field, for exports whose headers differ."""
    outcomes: Mapping[str, str] = field(default_factory=dict)
    """A CRM's call result → our outcome (model.outcomes), for labels we do not know."""

    def rep(self, name: str) -> Rep:
        return self.reps.get(name) or Rep(name)

    def rep_timezone(self, name: str) -> str:
        return self.rep(name).timezone or self.schedule.timezone

    @property
    def default_region(self) -> str | None:
        """The country of phone numbers that nothing in their row places (see phone_region)."""
        if self.input.phone_region:
            return parse_country(self.input.phone_region)
        return zone_region(self.schedule.timezone)
