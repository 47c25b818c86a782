"""Which calls an invitation draft may propose, and when the rep sends it.

Rule 1 of the playbook: an e-mail may only schedule the call that resolves things. So only
lapsed contacts' clear-the-air and keep-in-touch calls are offered by e-mail, and only when
both sides have an address; an upset account's apology is a call now (rule 2). The
scheduler gives a call that gets a draft the notice the draft promises.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from outreach.errors import ConfigError
from outreach.intake.cells import is_plain_address
from outreach.model.plan import Call
from outreach.model.plays import Play
from outreach.model.records import Contact
from outreach.model.settings import Config
from outreach.model.zones import zone_info

INVITED_PLAYS: frozenset[Play] = frozenset({"clear_the_air", "keep_in_touch"})


def organizer_email(config: Config, owner: str) -> str | None:
    """The rep's configured e-mail, or None; an unusable one is a configuration error."""
    email = config.rep(owner).email
    if email and not is_plain_address(email):
        raise ConfigError(
            config.source, f"reps.{owner}.email", f"{email!r} is not a plain e-mail address"
        )
    return email or None


def invitation_refusal(config: Config, call: Call) -> str | None:
    """Why `call` gets no invitation draft, or None when it gets one.

    A rep without an e-mail is the one case the caller should warn about: every other
    reason is the playbook working as intended.
    """
    return draft_refusal(config, call.contact, call.play, call.owner)


def draft_refusal(config: Config, contact: Contact, play: Play, owner: str) -> str | None:
    """`invitation_refusal` before the call has a time: the scheduler gives a call that gets
    a draft the notice the draft promises."""
    if contact.status != "lapsed":
        return "only lapsed contacts are invited; an upset account gets a call now"
    if play not in INVITED_PLAYS:
        return "only clear-the-air and keep-in-touch calls are proposed by e-mail"
    if not contact.email:
        return f"{contact.contact_name} has no e-mail address"
    if not is_plain_address(contact.email):
        return f"{contact.email!r} cannot be used as an invitation's address"
    if organizer_email(config, owner) is None:
        return f'rep {owner} has no e-mail address; set reps."{owner}".email'
    return None


def send_day(config: Config, call: Call, now: datetime) -> date:
    """The day the rep is to send the draft, in the rep's zone: `invites.send_days_before`
    days before the call (a call a quarter away is not proposed today), or sooner where a day
    later would give less than `invites.min_notice_hours` of notice; never before the run's
    day. The scheduler planned the call at least that notice after the run's clock, so a
    draft to send today gives it."""
    zone = zone_info(config.rep_timezone(call.owner))
    settings = config.invites
    call_day = datetime.fromtimestamp(call.at, zone).date()
    last_with_notice = datetime.fromtimestamp(call.at - settings.min_notice_hours * 3600, zone)
    wanted = min(
        call_day - timedelta(days=settings.send_days_before),
        last_with_notice.date() - timedelta(days=1),  # a whole day's margin for the rep
    )
    return max(now.astimezone(zone).date(), wanted)
