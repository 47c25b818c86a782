"""Call scripts: each planned call rendered through its play's template, as Markdown.

Templates are looked up by file name, the user's folder first, then the built-ins:
`<play>.<reason>.md.j2` where the contact's reason has a variant, `<play>.md.j2` otherwise,
and `invite.txt.j2` for the e-mail that proposes a call. Each is compiled once per run."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes

from outreach.errors import TemplateError
from outreach.model.plan import Call
from outreach.model.plays import PLAYS, SILENT_PLAYS, Play
from outreach.model.settings import Config
from outreach.render.context import BRIEF, build_context, hidden_variables, without_hidden
from outreach.render.templates import TemplateFinder, make_environment, template_error

INVITE_TEMPLATE = "invite.txt.j2"
BRIEF_TEMPLATE = "brief.md.j2"
INVITE = "invite"
"""The context an invitation is rendered with: no incident, whatever the call's play."""


def script_template_names(play: Play, reason: str | None) -> list[str]:
    """The files that can render `play` for a contact with `reason`, the first found wins.

    The silent plays have no variants: the reason is part of the incident they never mention."""
    names = [f"{play}.md.j2"]
    variant = reason_slug(reason)
    if variant and play not in SILENT_PLAYS:
        names.insert(0, f"{play}.{variant}.md.j2")
    return names


def reason_slug(reason: str | None) -> str:
    """`Late Delivery` → `late_delivery`: a reason as it appears in a variant's file name."""
    return re.sub(r"[^a-z0-9]+", "_", (reason or "").casefold()).strip("_")


def next_calls(calls: Iterable[Call]) -> dict[str, Call]:
    """Call id → the same contact's next call, which scripts name as the check-back date."""
    by_contact: dict[tuple[str, str], list[Call]] = defaultdict(list)
    for call in calls:
        by_contact[call.contact.key].append(call)
    following: dict[str, Call] = {}
    for sequence in by_contact.values():
        sequence.sort(key=lambda c: c.at)
        following.update((a.id, b) for a, b in itertools.pairwise(sequence))
    return following


class ScriptRenderer:
    """Renders call scripts and invitation bodies; load it once per run and reuse it."""

    def __init__(self, config: Config, templates_dir: Path | None = None) -> None:
        self.config = config
        self.finder = TemplateFinder(templates_dir)
        self.environment = make_environment(self.finder)
        self._templates: dict[tuple[str, str], jinja2.Template] = {}

    def render(self, call: Call, next_call: Call | None = None) -> str:
        """The Markdown script for `call`; `next_call` is the contact's next planned call,
        whose date the script gives as the check-back date."""
        template = self.template_for(call.play, call.contact.reason)
        return self._render(template, call, next_call, call.play)

    def render_invite(self, call: Call) -> str:
        """The body of an e-mail proposing the call: when and how, never what it is about."""
        template = self._load(INVITE, (INVITE_TEMPLATE,))
        return self._render(template, call, None, INVITE)

    def template_for(self, play: Play, reason: str | None) -> jinja2.Template:
        return self._load(play, script_template_names(play, reason))

    def check_templates(self) -> list[str]:
        """Compile every template the run can use, so a broken one stops it before the first
        call rather than halfway; returns their names."""
        names = {INVITE_TEMPLATE: INVITE, BRIEF_TEMPLATE: BRIEF}
        names |= {f"{play}.md.j2": play for play in PLAYS}
        for name in self.finder.loader.list_templates():
            play, _, rest = name.partition(".")
            if play in PLAYS and rest.endswith("md.j2") and "/" not in name:
                names[name] = play
        for name, play in sorted(names.items()):
            self._load(play, (name,))
        return sorted(names)

    def _load(self, play: str, names: tuple[str, ...] | list[str]) -> jinja2.Template:
        key = (play, names[0])
        template = self._templates.get(key)
        if template is None:
            try:
                template = self.environment.select_template(names)
                self._check_hidden(template, play)
            except jinja2.TemplatesNotFound:
                raise TemplateError(
                    f"no template {' or '.join(names)} in the templates folder or the built-ins"
                ) from None
            except jinja2.TemplateError as error:
                raise template_error(error, self.finder, {}, names[-1]) from None
            self._templates[key] = template
        return template

    def _check_hidden(self, template: jinja2.Template, play: str) -> None:
        """Refuse a template that names a variable its play does not get, even in a branch
        this row would not reach: the rule holds for every row, not only the ones tried."""
        hidden = hidden_variables(play)
        if not hidden or template.name is None:
            return
        source, filename, _ = self.finder.loader.get_source(self.environment, template.name)
        tree = self.environment.parse(source, template.name, filename)
        used = meta.find_undeclared_variables(tree) & hidden.keys()
        if used:
            first = min(
                (node.lineno, node.name) for node in tree.find_all(nodes.Name) if node.name in used
            )
            where = self.finder.display_name(filename, template.name)
            raise TemplateError(
                f"{where}:{first[0]}: {first[1]!r} is not available to {hidden[first[1]]}"
            )

    def _render(
        self, template: jinja2.Template, call: Call, next_call: Call | None, play: str
    ) -> str:
        if play == INVITE:
            context = build_context(call, next_call, self.config, INVITE)
        else:  # the brief gets everything; the play's template, what its play may say
            everything = build_context(call, next_call, self.config, BRIEF)
            brief = self._fill(self._load(BRIEF, (BRIEF_TEMPLATE,)), everything, BRIEF)
            context = {**without_hidden(everything, play), "brief": brief}
        return self._fill(template, context, play)

    def _fill(self, template: jinja2.Template, context: dict[str, Any], play: str) -> str:
        try:
            return template.render(context)
        except Exception as error:  # a user's template can raise anything; name where it did
            raise template_error(
                error, self.finder, hidden_variables(play), template.name or play
            ) from None
