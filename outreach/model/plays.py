"""The playbook's vocabulary: its plays in the order a contact meets them, and a contact's
stage (the last call they had) as people write it: `apology`, `keep_in_touch 2`."""

from __future__ import annotations

from typing import Literal, get_args

Play = Literal[
    "apology", "follow_up", "small_step", "substantial_offer", "clear_the_air", "keep_in_touch"
]
PLAYS: tuple[Play, ...] = get_args(Play)

#: Plays that come after the apology and, by rule 8, never mention the incident again.
SILENT_PLAYS: frozenset[Play] = frozenset({"small_step", "substantial_offer", "keep_in_touch"})

ORDER: tuple[Play, ...] = (  # the order a contact meets the plays in
    "apology",
    "follow_up",
    "small_step",
    "substantial_offer",
    "clear_the_air",
    "keep_in_touch",
)


def parse_stage(text: str) -> tuple[Play, int]:
    """`keep_in_touch 2`, `small_step 1` or `apology`: the last call a contact had."""
    play, _, number = text.strip().casefold().replace("-", "_").partition(" ")
    if play not in ORDER:
        raise ValueError(
            f"unknown stage {text!r}; expected a play such as 'apology' or 'keep_in_touch 2'"
        )
    try:
        step = int(number) if number.strip() else 1
    except ValueError:
        raise ValueError(
            f"unknown stage {text!r}; the play's number must be a whole number"
        ) from None
    return play, step


def stage_of(play: Play, step: int) -> str:
    return (
        play
        if play in ("apology", "follow_up", "substantial_offer", "clear_the_air")
        else f"{play} {step}"
    )
