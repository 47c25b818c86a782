"""`outreach publish` against a real CalDAV server: Radicale, started on 127.0.0.1 for the
session, read back with the caldav library. What to do with each event is a pure function
(`action`), tested in-process case by case."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import caldav
import icalendar
import pytest

from outreach.errors import InputError
from outreach.formats.resources import Held, Resource, action, calendar_resources
from tests.factories import EXAMPLE, SETTINGS, invoke, read_csv, write_csv
from tests.terminal import command, environment, in_terminal

USER, PASSWORD = "manager", "s3cret"
NOW = "2027-03-01T12:00:00+00:00"
START = "2027-03-08"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Radicale server's root URL: one user, whose own collections it may create."""
    folder = tmp_path_factory.mktemp("radicale")
    users = folder / "users"
    users.write_text(f"{USER}:{PASSWORD}\n")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable, "-m", "radicale",
            f"--server-hosts=127.0.0.1:{port}",
            f"--storage-filesystem-folder={folder / 'storage'}",
            "--auth-type=htpasswd",
            f"--auth-htpasswd-filename={users}",
            "--auth-htpasswd-encryption=plain",
            "--rights-type=owner_only",
            "--logging-level=error",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    f"radicale did not start: {process.communicate()[1]!r}"
                ) from None
            time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's generate output."""
    out = tmp_path_factory.mktemp("example") / "out"
    status, _, err = _generate(EXAMPLE, out)
    assert status in (0, 1), err
    return out


def _generate(contacts: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    return invoke(
        "generate", str(contacts), "--out", str(out), "--config", str(SETTINGS),
        "--start", START, "--now", NOW, *extra,
    )  # fmt: skip


def _publish(folder: Path, url: str, *extra: str, password: str = PASSWORD) -> tuple[int, str, str]:
    return invoke(
        "publish", str(folder), "--url", url, "--user", USER, "--config", str(SETTINGS), *extra,
        env={"OUTREACH_CALDAV_PASSWORD": password},
    )  # fmt: skip


def _client(server: str) -> caldav.DAVClient:
    return caldav.DAVClient(url=server, username=USER, password=PASSWORD)


def _events(server: str, url: str) -> dict[str, icalendar.Component]:
    """The events a calendar holds, by UID, as the caldav library reads them."""
    with _client(server) as client:
        found = client.calendar(url=url).events()
        return {str(e.icalendar_component["UID"]): e.icalendar_component for e in found}


def _file_events(folder: Path, rep: str) -> dict[str, icalendar.Component]:
    calendar = icalendar.Calendar.from_ical((folder / "calendars" / f"{rep}.ics").read_bytes())
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


SAME = ("SUMMARY", "DTSTART", "DTEND", "DESCRIPTION", "LOCATION", "STATUS", "SEQUENCE", "URL")


def test_events_on_the_server_equal_the_files_and_a_rerun_writes_nothing(
    server: str, example: Path
) -> None:
    url = f"{server}/{USER}/first-{{rep}}/"
    status, out, err = _publish(example, url)
    assert status == 0, err
    reps = sorted(path.stem for path in (example / "calendars").glob("*.ics"))
    for rep in reps:
        held = _events(server, url.format(rep=rep))
        files = _file_events(example, rep)
        assert held.keys() == files.keys()
        for uid, event in files.items():
            for name in SAME:
                assert held[uid].get(name) == event.get(name), (uid, name)
        assert f"{len(files)} created, 0 updated, 0 unchanged" in out

    status, again, _ = _publish(example, url)
    assert status == 0
    assert again.count(" 0 created, 0 updated, ") == len(reps)
    assert "0 cancelled, 0 conflicts" in again


def test_a_contact_removed_from_the_plan_is_cancelled_and_a_rep_edit_is_a_conflict(
    server: str, example: Path, tmp_path: Path
) -> None:
    url = f"{server}/{USER}/second-{{rep}}/"
    assert _publish(example, url)[0] == 0
    rows = read_csv(EXAMPLE)
    gone = next(r for r in rows if r["owner"] == "Marcus Chen" and r["status"] == "upset")
    write_csv(tmp_path / "fewer.csv", [r for r in rows if r is not gone], list(rows[0]))
    later = tmp_path / "later"
    _generate(tmp_path / "fewer.csv", later, "--previous", str(example))
    cancelled = {
        uid for uid, e in _file_events(later, "marcus-chen").items() if e["STATUS"] == "CANCELLED"
    }
    assert cancelled
    edited, *rest = sorted(cancelled)
    calendar_url = url.format(rep="marcus-chen")
    with _client(server) as client:  # the rep moves one call, and adds an event of their own
        calendar = client.calendar(url=calendar_url)
        moved = calendar.event_by_uid(edited)
        moved.icalendar_component["SUMMARY"] = "Moved by Marcus"
        moved.save()
        calendar.save_event(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rep//EN\r\nBEGIN:VEVENT\r\n"
            "UID:lunch@vendor.example\r\nDTSTART:20270309T120000Z\r\nDTEND:20270309T130000Z\r\n"
            "DTSTAMP:20270301T000000Z\r\nSUMMARY:Lunch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )

    status, out, err = _publish(later, url)
    assert status == 1
    counts = re.search(
        r"Marcus Chen: (\d+) created, \d+ updated, \d+ unchanged, (\d+) cancelled, 1 conflict \(",
        out,
    )
    assert counts and counts.groups() == ("0", str(len(rest))), out
    assert err.count("Conflict: Marcus Chen: ") == 1
    held = _events(server, calendar_url)
    assert held[edited]["SUMMARY"] == "Moved by Marcus" and held[edited]["STATUS"] != "CANCELLED"
    assert all(held[uid]["STATUS"] == "CANCELLED" for uid in rest)
    assert held["lunch@vendor.example"]["SUMMARY"] == "Lunch"

    status, out, err = _publish(later, url, "--force", "--delete-cancelled")
    assert status == 0, err
    held = _events(server, calendar_url)
    assert not cancelled & held.keys()
    assert "lunch@vendor.example" in held


def test_a_wrong_password_is_one_error_line_naming_the_rep_and_url(
    server: str, example: Path
) -> None:
    url = f"{server}/{USER}/third-{{rep}}/"
    status, out, err = _publish(example, url, password="wrong")
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("Error: publishing ")
    assert f"{server}/{USER}/third-" in err and "password" in err


def test_an_unreachable_server_is_one_error_line(example: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    status, _, err = _publish(example, f"http://127.0.0.1:{port}/{{rep}}/")
    assert status == 2
    assert err.count("\n") == 1 and "cannot reach the server" in err


def test_a_url_without_rep_is_refused(example: Path) -> None:
    status, _, err = _publish(example, "https://dav.example.com/calendar/")
    assert status == 2 and "{rep}" in err


def test_publish_in_a_terminal(server: str, example: Path, tmp_path: Path) -> None:
    env = {**environment(tmp_path), "OUTREACH_CALDAV_PASSWORD": PASSWORD}
    args = command(
        "publish", str(example), "--url", f"{server}/{USER}/fourth-{{rep}}/", "--user", USER,
        "--config", str(SETTINGS),
    )  # fmt: skip
    run = in_terminal(args, tmp_path, env)
    assert run.status == 0, run.screen
    assert not run.traceback
    assert "Marcus Chen: " in run.screen and " created, 0 updated, 0 unchanged" in run.screen


# --- What publishing does with one event, given the server's copy ---

OURS = Resource("c1@example.com", "c1%40example.com.ics", "Apology call", b"", "new", False)
CANCELLED = replace(OURS, cancelled=True)


def held(stored: str | None, seen: str) -> Held:
    return Held("/cal/c1.ics", '"etag"', stored, seen)


@pytest.mark.parametrize(
    ("resource", "server", "force", "delete", "expected"),
    [
        (OURS, None, False, False, "create"),
        (CANCELLED, None, False, False, "absent"),  # never published: nothing to cancel
        (OURS, held("new", "new"), False, False, "unchanged"),
        (OURS, held("old", "old"), False, False, "update"),
        (CANCELLED, held("old", "old"), False, False, "cancel"),
        (CANCELLED, held("old", "old"), False, True, "delete"),
        (OURS, held("old", "moved"), False, False, "conflict"),  # changed on both sides
        (OURS, held("old", "moved"), True, False, "update"),
        (CANCELLED, held("old", "moved"), False, True, "conflict"),
        (OURS, held("new", "moved"), False, False, "unchanged"),  # only the rep changed it
        (OURS, held("new", "moved"), True, False, "update"),
        (OURS, held(None, "new"), False, False, "unchanged"),  # imported by hand, the same
        (OURS, held(None, "other"), False, False, "conflict"),
    ],
)
def test_action(
    resource: Resource, server: Held | None, force: bool, delete: bool, expected: str
) -> None:
    assert action(resource, server, force=force, delete=delete) == expected


def test_each_resource_holds_one_event_its_zones_and_no_method(example: Path) -> None:
    data = (example / "calendars" / "priya-nair.ics").read_bytes()
    rep, resources = calendar_resources(data, "priya-nair.ics", "example.com")
    assert rep == "Priya Nair"
    for resource in resources:
        calendar = icalendar.Calendar.from_ical(resource.body)
        (event,) = calendar.walk("VEVENT")
        assert "METHOD" not in calendar
        assert {str(z["TZID"]) for z in calendar.walk("VTIMEZONE")} == {
            event["DTSTART"].params["TZID"]
        }
        assert resource.name == resource.uid.replace("@", "%40") + ".ics"


def test_a_calendar_of_another_uid_domain_is_refused(example: Path) -> None:
    data = (example / "calendars" / "priya-nair.ics").read_bytes()
    with pytest.raises(InputError, match=re.escape("calendar.uid_domain 'vendor.example'")):
        calendar_resources(data, "priya-nair.ics", "vendor.example")
