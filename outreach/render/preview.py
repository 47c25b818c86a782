"""The scripts of one account's calls, rendered to read on the screen (`outreach preview`)."""

from __future__ import annotations

from pathlib import Path

from outreach.model.plan import Plan
from outreach.model.records import fold
from outreach.model.settings import Config
from outreach.render.scripts import ScriptRenderer, next_calls


def preview_scripts(
    plan: Plan,
    config: Config,
    templates: Path | None,
    account: str,
    contact: str | None = None,
    play: str | None = None,
) -> list[str]:
    """The rendered scripts of one account's planned calls, in plan order."""
    renderer = ScriptRenderer(config, templates)
    following = next_calls(plan.calls)
    return [
        renderer.render(call, following.get(call.id))
        for call in sorted(plan.calls, key=lambda c: (c.at, c.id))
        if fold(call.contact.account_id) == fold(account)
        and (contact is None or names(call.contact.contact_name, contact))
        and (play is None or call.play == play)
    ]


def names(name: str, wanted: str) -> bool:
    """`dana`, `Dana Ruiz` and `ruiz` all name Dana Ruiz: the whole name or one of its words."""
    wanted, name = fold(wanted.strip()), fold(name)  # a terminal may type é decomposed
    return wanted == name or wanted in name.split()
