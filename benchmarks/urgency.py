"""When the last apology of each rep lands on a large export (issue 13, rule 2 under load).

    python benchmarks/urgency.py 5000 --per-rep 1000     # 5 reps of 1,000 contacts each
    python benchmarks/urgency.py 100000

Plans a synthetic file (benchmarks/synthetic.py, seed 0) from --start 2027-03-08 with the
built-in settings, and prints per rep: the apologies, the last one's date, how many are later
than one business day after the start, and how many other calls start before the last one.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import synthetic  # beside this file: run as a script, its folder is on the path

from outreach.app import plan_file
from outreach.model.plan import Call
from outreach.model.settings import Config

START = date(2027, 3, 8)
NOW = datetime(2027, 3, 1, tzinfo=UTC)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("contacts", type=int, help="contact rows in the synthetic file")
    parser.add_argument("--per-rep", type=int, default=synthetic.CONTACTS_PER_REP,
                        help="contacts per rep (default: the benchmark's 1,250)")  # fmt: skip
    args = parser.parse_args(argv)
    synthetic.CONTACTS_PER_REP = args.per_rep
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "contacts.csv")
        synthetic.write_file(path, args.contacts, seed=0)
        plan = plan_file(path, Config(), START, NOW)
    by_rep: dict[str, list[Call]] = defaultdict(list)
    for call in plan.calls:
        by_rep[call.owner].append(call)
    print(
        f"{args.contacts:,} contacts, {len(by_rep)} reps, start {START}: {len(plan.calls):,} calls"
    )
    print(f"{'rep':24} {'apologies':>9} {'last apology':>16} {'late':>5} {'others before it':>16}")
    for rep, calls in sorted(by_rep.items()):
        apologies = [call for call in calls if call.play == "apology"]
        last = max((call.at for call in apologies), default=None)
        when = "-" if last is None else f"{datetime.fromtimestamp(last, UTC):%Y-%m-%d %H:%M}Z"
        late = sum("late" in call.flags for call in apologies)
        before = sum(
            1 for c in calls if c.play not in ("apology", "follow_up") and last and c.at < last
        )
        print(f"{rep:24} {len(apologies):>9} {when:>16} {late:>5} {before:>16}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
