"""What `outreach templates` shows: each play's template, where it comes from, its variables."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from outreach.model.plays import PLAYS
from outreach.model.settings import Config
from outreach.render.context import BRIEF, VARIABLES, hidden_variables, play_variables
from outreach.render.scripts import BRIEF_TEMPLATE, INVITE, INVITE_TEMPLATE, ScriptRenderer


def describe_templates(config: Config, templates_dir: Path | None) -> Iterator[str]:
    renderer = ScriptRenderer(config, templates_dir)
    names = renderer.finder.loader.list_templates()
    templates = {
        INVITE: renderer.environment.get_template(INVITE_TEMPLATE),
        BRIEF: renderer.environment.get_template(BRIEF_TEMPLATE),
    }
    for each in PLAYS:
        templates[each] = renderer.template_for(each, None)
    for play, template in sorted(
        templates.items(), key=lambda item: (item[0] == INVITE, item[0] == BRIEF)
    ):
        origin = renderer.finder.display_name(template.filename, template.name or play)
        overridden = (
            templates_dir is not None
            and template.filename is not None
            and str(templates_dir.resolve()) in str(Path(template.filename).resolve())
        )
        yield f"{play}: {origin} ({'yours' if overridden else 'built-in'})"
        variants = sorted({n for n in names if n.startswith(f"{play}.") and n.count(".") == 3})
        if variants:
            yield f"  variants by reason: {', '.join(variants)}"
        yield f"  variables: {', '.join(play_variables(play))}"
        hidden = hidden_variables(play)
        if hidden:
            yield f"  not given: {', '.join(hidden)}: {next(iter(hidden.values()))}"
    yield ""
    yield "What each variable holds:"
    width = max(map(len, VARIABLES))
    for name, meaning in VARIABLES.items():
        yield f"  {name.ljust(width)}  {meaning}"
