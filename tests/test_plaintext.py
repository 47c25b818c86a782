from __future__ import annotations

from outreach.render.plaintext import plain_text


def test_markdown_reads_as_plain_text_in_a_calendar() -> None:
    script = (
        "# Apology call: Dana Ruiz, Acme\n\n- **When:** Monday\n\n## 1. Apologize first\n\n"
        '> "I am sorry."\n\n*Then stop.*\n\n- **Phone:** [+1 212 555 0100](tel:+12125550100)\n'
        "- **Notes:** \\# not a heading, 3 * 4 = 12\n"
    )
    assert plain_text(script) == (
        "Apology call: Dana Ruiz, Acme\n\n- When: Monday\n\n1. APOLOGIZE FIRST\n\n"
        '    "I am sorry."\n\nThen stop.\n\n- Phone: +1 212 555 0100\n'
        "- Notes: # not a heading, 3 * 4 = 12\n"
    )


def test_italics_over_several_lines_lose_their_stars() -> None:
    assert plain_text('*Say "I", not "we".\nNo "but".*\n\n- 3 * 4 *is* 12\n') == (
        'Say "I", not "we".\nNo "but".\n\n- 3 * 4 is 12\n'
    )


def test_stars_that_close_nothing_are_kept() -> None:
    """Only a line that opens with a star and a later line end that closes it make italics."""
    assert plain_text("Note:\n**\nend") == "Note:\n**\nend"
    assert plain_text("*a *\nb*") == "a *\nb"  # a star after a space closes nothing
    assert plain_text("**\n**") == "**\n**"  # a line opening with a star ends italics
