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
from typing import Any

import icalendar
import pytest
from caldav.davclient import DAVClient

from outreach.errors import InputError
from outreach.formats.resources import Held, Resource, action, calendar_resources
from outreach.output.publish import PASSWORD_VARIABLE, caldav_password
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
            "--auth-delay=0",
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


def _generate(contacts: Path, out: Path, *extra: str) -> None:
    status, _, err = invoke(
        "generate", str(contacts), "--out", str(out), "--config", str(SETTINGS),
        "--start", START, "--now", NOW, *extra,
    )  # fmt: skip
    assert status in (0, 1), err


def _publish(folder: Path, url: str, *extra: str, password: str = PASSWORD) -> tuple[int, str, str]:
    return invoke(
        "publish", str(folder), "--url", url, "--user", USER, "--config", str(SETTINGS), *extra,
        env={"OUTREACH_CALDAV_PASSWORD": password},
    )  # fmt: skip


def _client(server: str) -> DAVClient:
    return DAVClient(url=server, username=USER, password=PASSWORD)


def _events(server: str, url: str) -> dict[str, icalendar.Component]:
    """The events a calendar holds, by UID, as the caldav library reads them."""
    with _client(server) as client:
        found = client.calendar(url=url).events()
        return {str(e.icalendar_component["UID"]): e.icalendar_component for e in found}


def _etags(server: str, url: str) -> dict[str, str]:
    with _client(server) as client:
        return {
            str(e.url): e.props.get("{DAV:}getetag", "") for e in client.calendar(url=url).events()
        }


def _file_events(folder: Path, rep: str) -> dict[str, icalendar.Component]:
    calendar = icalendar.Calendar.from_ical((folder / "calendars" / f"{rep}.ics").read_bytes())
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


SAME = ("SUMMARY", "DTSTART", "DTEND", "DESCRIPTION", "LOCATION", "STATUS", "SEQUENCE", "URL")


def _assert_same(server: str, url: str, folder: Path, rep: str) -> None:
    held = _events(server, url.format(rep=rep))
    files = _file_events(folder, rep)
    assert held.keys() == files.keys()
    for uid, event in files.items():
        for name in SAME:
            assert held[uid].get(name) == event.get(name), (uid, name)


@pytest.fixture
def marcus(tmp_path: Path) -> list[dict[str, str]]:
    """The example's rows of one rep's contacts, written to marcus.csv."""
    rows = [r for r in read_csv(EXAMPLE) if r["owner"] == "Marcus Chen"]
    write_csv(tmp_path / "marcus.csv", rows, list(rows[0]))
    return rows


@pytest.mark.slow
def test_publish_then_republish_a_changed_plan(
    server: str, marcus: list[dict[str, str]], tmp_path: Path
) -> None:
    url = f"{server}/{USER}/small-{{rep}}/"
    calendar_url = url.format(rep="marcus-chen")
    _generate(tmp_path / "marcus.csv", tmp_path / "first")
    status, out, err = _publish(tmp_path / "first", url)
    assert status == 0, err
    _assert_same(server, url, tmp_path / "first", "marcus-chen")
    events = len(_file_events(tmp_path / "first", "marcus-chen"))
    assert out.startswith(f"Marcus Chen: {events} created, 0 updated, 0 unchanged, 0 cancelled")

    etags = _etags(server, calendar_url)
    status, out, _ = _publish(tmp_path / "first", url)
    assert status == 0
    assert f"0 created, 0 updated, {events} unchanged, 0 cancelled, 0 conflicts" in out
    assert _etags(server, calendar_url) == etags  # nothing written

    gone = marcus[0]  # a contact no longer planned: their calls are cancelled in the files
    write_csv(tmp_path / "fewer.csv", marcus[1:], list(gone))
    _generate(tmp_path / "fewer.csv", tmp_path / "later", "--previous", str(tmp_path / "first"))
    later = _file_events(tmp_path / "later", "marcus-chen")
    cancelled = {uid for uid, event in later.items() if event["STATUS"] == "CANCELLED"}
    edited, *rest = sorted(cancelled)
    with _client(server) as client:  # the rep edits one of them, and adds an event of their own
        calendar = client.calendar(url=calendar_url)
        moved = calendar.event_by_uid(edited)
        moved.icalendar_component["SUMMARY"] = "Moved by Marcus"
        moved.save()
        calendar.save_event(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rep//EN\r\nBEGIN:VEVENT\r\n"
            "UID:lunch@example.com\r\nDTSTART:20270309T120000Z\r\nDTEND:20270309T130000Z\r\n"
            "DTSTAMP:20270301T000000Z\r\nSUMMARY:Lunch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )

    status, out, err = _publish(tmp_path / "later", url)
    assert status == 1
    assert f", {len(rest)} cancelled, 1 conflict (" in out
    assert err.count("Conflict: ") == 1 and "Conflict: Marcus Chen: " in err
    held = _events(server, calendar_url)
    assert held[edited]["SUMMARY"] == "Moved by Marcus" and held[edited]["STATUS"] != "CANCELLED"
    assert all(held[uid]["STATUS"] == "CANCELLED" for uid in rest)
    assert held["lunch@example.com"]["SUMMARY"] == "Lunch"  # no UID of ours: never touched

    status, out, err = _publish(tmp_path / "later", url, "--force", "--delete-cancelled")
    assert status == 0, err
    assert f", {len(cancelled)} cancelled, 0 conflicts (" in out
    assert _events(server, calendar_url).keys() == later.keys() - cancelled | {"lunch@example.com"}


def test_a_run_cut_off_half_way_is_finished_by_the_next(
    server: str, marcus: list[dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _generate(tmp_path / "marcus.csv", tmp_path / "out")
    events = len(_file_events(tmp_path / "out", "marcus-chen"))
    url = f"{server}/{USER}/cut-{{rep}}/"
    put = DAVClient.put
    sent: list[str] = []

    def flaky(client: DAVClient, href: str, *args: Any, **kwargs: Any) -> Any:
        if len(sent) == 3:
            raise ConnectionResetError(104, "Connection reset by peer")
        sent.append(href)
        return put(client, href, *args, **kwargs)

    monkeypatch.setattr(DAVClient, "put", flaky)
    status, _, err = _publish(tmp_path / "out", url)
    assert status == 2 and "cannot reach the server (Connection reset by peer)" in err
    monkeypatch.setattr(DAVClient, "put", put)
    status, out, _ = _publish(tmp_path / "out", url)
    assert status == 0
    assert f"Marcus Chen: {events - 3} created, 0 updated, 3 unchanged, 0 cancelled" in out
    _assert_same(server, url, tmp_path / "out", "marcus-chen")


@pytest.mark.slow
def test_publish_the_example_and_again_in_a_terminal(server: str, tmp_path: Path) -> None:
    _generate(EXAMPLE, tmp_path / "out")
    url = f"{server}/{USER}/example-{{rep}}/"
    status, _, err = _publish(tmp_path / "out", url)
    assert status == 0, err
    reps = sorted(path.stem for path in (tmp_path / "out" / "calendars").glob("*.ics"))
    for rep in reps:
        _assert_same(server, url, tmp_path / "out", rep)

    env = {**environment(tmp_path), "OUTREACH_CALDAV_PASSWORD": PASSWORD}
    args = command(
        "publish", "out", "--url", url, "--user", USER, "--config", str(SETTINGS),
    )  # fmt: skip
    run = in_terminal(args, tmp_path, env)
    assert run.status == 0 and not run.traceback, run.screen
    assert run.screen.count(" 0 created, 0 updated, ") == len(reps)


def test_a_wrong_password_is_one_error_line_naming_the_rep_and_url(
    server: str, marcus: list[dict[str, str]], tmp_path: Path
) -> None:
    _generate(tmp_path / "marcus.csv", tmp_path / "out")
    url = f"{server}/{USER}/third-{{rep}}/"
    status, out, err = _publish(tmp_path / "out", url, password="wrong")
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("Error: publishing Marcus Chen's calendar to ")
    assert f"{server}/{USER}/third-marcus-chen/" in err and "password" in err


def test_an_unreachable_server_and_a_url_without_rep(
    marcus: list[dict[str, str]], tmp_path: Path
) -> None:
    _generate(tmp_path / "marcus.csv", tmp_path / "out")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    status, _, err = _publish(tmp_path / "out", f"http://127.0.0.1:{port}/{{rep}}/")
    assert status == 2
    assert err.count("\n") == 1 and "cannot reach the server" in err
    status, _, err = _publish(tmp_path / "out", "https://dav.example.com/calendar/")
    assert status == 2 and "{rep}" in err
    status, _, err = _publish(tmp_path / "out", "https://manager:pw@dav.example.com/{rep}/")
    assert status == 2 and "OUTREACH_CALDAV_PASSWORD" in err


def test_a_calendar_the_user_may_not_write_is_one_error_line(
    server: str, marcus: list[dict[str, str]], tmp_path: Path
) -> None:
    _generate(tmp_path / "marcus.csv", tmp_path / "out")
    status, out, err = _publish(tmp_path / "out", f"{server}/{USER}/no-such-folder/{{rep}}/")
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and f"{USER} may not write there (HTTP 403)" in err


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


def test_each_resource_holds_one_event_its_zones_and_no_method(
    marcus: list[dict[str, str]], tmp_path: Path
) -> None:
    _generate(tmp_path / "marcus.csv", tmp_path / "out")
    data = (tmp_path / "out" / "calendars" / "marcus-chen.ics").read_bytes()
    rep, resources = calendar_resources(data, "marcus-chen.ics", "example.com")
    assert rep == "Marcus Chen" and resources
    for resource in resources:
        calendar = icalendar.Calendar.from_ical(resource.body)
        (event,) = calendar.walk("VEVENT")
        assert "METHOD" not in calendar
        assert {str(z["TZID"]) for z in calendar.walk("VTIMEZONE")} == {
            event["DTSTART"].params["TZID"]
        }
        assert resource.name == resource.uid.replace("@", "%40") + ".ics"

    with pytest.raises(InputError, match=re.escape("calendar.uid_domain 'vendor.example'")):
        calendar_resources(data, "marcus-chen.ics", "vendor.example")


def test_the_password_comes_from_the_environment_else_the_keyring(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class Stored(KeyringBackend):
        priority = 1

        def get_password(self, service: str, username: str) -> str | None:
            return {("dav.example.com", USER): "from the keyring"}.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            raise NotImplementedError

        def delete_password(self, service: str, username: str) -> None:
            raise NotImplementedError

    previous = keyring.get_keyring()
    keyring.set_keyring(Stored())
    try:
        monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)
        assert caldav_password(USER, "https://dav.example.com/x/") == "from the keyring"
        assert caldav_password("someone", "https://dav.example.com/x/") is None
        assert caldav_password(None, "https://dav.example.com/x/") is None
        monkeypatch.setenv(PASSWORD_VARIABLE, "from the environment")
        assert caldav_password(USER, "https://dav.example.com/x/") == "from the environment"
    finally:
        keyring.set_keyring(previous)
