"""The hand-written content lines against icalendar's own escaping, quoting and folding."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st
from icalendar import vText
from icalendar.parser import Contentline, Parameters

from outreach.formats.ics import clean_param, clean_text, common_name, escape_text, fold

# Characters that stress folding and escaping: escapes, 2-, 3- and 4-octet UTF-8.
TRICKY = st.sampled_from(
    ["\\", "^", ";", ",", ":", '"', "é", "€", "語", "😀", "\n", "\r", " ", "a"]
)
TEXTS = st.lists(st.one_of(TRICKY, st.characters(codec="utf-8")), max_size=400).map("".join)


def icalendar_can_round_trip(text: str) -> bool:
    """icalendar reads a literal backslash-N as a line break; ours keeps it (see icsformat)."""
    return "\\N" not in text and clean_text(text) == text.replace("\r\n", "\n").replace("\r", "\n")


@given(TEXTS)
@example("x" * 73 + "\\,")  # an escape right at the fold
@example("é" * 40)  # a two-octet character across the 74th octet
@example("😀" * 30 + "\\n")
def test_fold_is_icalendars_fold(text: str) -> None:
    line = "DESCRIPTION:" + escape_text(text)
    assert fold(line) == Contentline(line).to_ical()


@given(TEXTS)
def test_escape_is_icalendars_escape(text: str) -> None:
    if icalendar_can_round_trip(text):
        assert escape_text(text) == vText(text).to_ical().decode()


@given(TEXTS)
def test_escaped_text_reads_back_as_written(text: str) -> None:
    line = Contentline("DESCRIPTION:" + escape_text(text))
    assert line.parts()[2] == clean_text(text)


@given(st.text(alphabet=st.one_of(TRICKY, st.sampled_from("'’\t\x00")), max_size=60))
def test_common_name_is_quoted_as_icalendar_quotes_it(name: str) -> None:
    cleaned = clean_param(name)
    assert "\n" not in cleaned and '"' not in cleaned
    assert common_name(name) == Parameters({"CN": cleaned}).to_ical().decode()


def test_folded_lines_stay_within_75_octets_and_whole_characters() -> None:
    folded = fold("DESCRIPTION:" + "Grüße, 東京 😀 " * 40)
    for piece in folded.split(b"\r\n"):
        assert len(piece) <= 75
        piece.decode("utf-8")


def test_backslash_n_keeps_its_backslash() -> None:
    assert escape_text("C:\\New folder") == "C:\\\\New folder"


def test_control_characters_are_dropped_and_cr_becomes_a_line_break() -> None:
    assert escape_text("a\x00b\x1bc\td\re\r\nf") == "abc\td\\ne\\nf"
