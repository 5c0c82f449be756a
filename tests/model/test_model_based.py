"""Model-based test of the billing figures across months, closes and clock changes (issue 14).

Hypothesis builds random workspaces (``strategies.py``) across four or more months and runs a
timeline on a fresh SQLite file through the command line, in process: the setup and usage
records as CSV files through ``billing-desktop import KIND FILE``, credit purchases and
one-time payments, ``close-month`` (in order, out of order, twice, too early), and reads. Every
field of ``usage --json``, ``close-month --json``, ``sessions --json`` and ``units report
--json`` is compared with the model (``rules.py``), a second implementation written from the
README.

The clock is pinned for each command with time-machine (the command line takes "today" from the
clock): the account's local day of each step.

Profiles: ``BILLING_MODEL_PROFILE=ci`` (the default, what CI runs) or ``dev`` (seconds).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from hypothesis import HealthCheck, Phase, given, note, settings

from billing_desktop.cli import main
from tests.model.rules import Model, first_day, last_day, month_of, month_text, plus
from tests.model.strategies import scenarios
from tests.model.workspace import (
    Buy,
    Close,
    Import,
    Read,
    Scenario,
    describe,
    records_file,
    setup_files,
)

settings.register_profile(
    "model-ci",
    max_examples=int(os.environ.get("BILLING_MODEL_EXAMPLES", "200")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "model-dev",
    max_examples=int(os.environ.get("BILLING_MODEL_EXAMPLES", "5")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # No shrinking: a failure is reported at once, with the scenario as drawn (see the note).
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    print_blob=True,
)
PROFILE = os.environ.get("BILLING_MODEL_PROFILE", os.environ.get("HYPOTHESIS_PROFILE", "ci"))
if PROFILE not in ("ci", "dev"):
    raise RuntimeError(f"BILLING_MODEL_PROFILE={PROFILE!r}: use ci or dev")
MODEL_SETTINGS = settings.get_profile(f"model-{PROFILE}")
# BILLING_MODEL_SURVEY=FILE: run every example of the profile to its end and append the kinds
# of difference each shows to FILE (JSON lines), failing nothing: which bugs the examples reach.
SURVEY = os.environ.get("BILLING_MODEL_SURVEY")

PLAIN = re.compile(r"-?\d+(\.\d+)?")


# --- running the command line ----------------------------------------------------------------


class Cli:
    """``billing-desktop --store FILE ...`` in process, with the clock pinned to a local day."""

    def __init__(self, folder: Path, timezone: str) -> None:
        self.folder = folder
        self.store = str(folder / "store.db")
        self.zone = ZoneInfo(timezone)
        self.files = 0

    @contextlib.contextmanager
    def on(self, today: date) -> Iterator[None]:
        noon = datetime.combine(today, time(12), tzinfo=self.zone).astimezone(UTC)
        with time_machine.travel(noon, tick=False):
            yield

    def run(self, today: date, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with self.on(today), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--store", self.store, *args])
        return code, out.getvalue(), err.getvalue()

    def ok(self, today: date, *args: str) -> str:
        code, out, err = self.run(today, *args)
        assert code == 0, (args, err)
        return out

    def json(self, today: date, *args: str) -> Any:
        return json.loads(self.ok(today, *args, "--json"))

    def buy(self, today: date, amount: Decimal, payment: bool) -> None:
        from billing_desktop.bootstrap import open_store
        from billing_desktop.services.credits import make_one_time_payment, purchase_credits
        from billing_desktop.services.overview import workspace

        store = open_store(self.store)
        try:
            with self.on(today):
                actor = store.read(workspace, None).actor
                service = make_one_time_payment if payment else purchase_credits
                store.write(service, actor, str(amount))
        finally:
            store.dispose()


# --- comparing ----------------------------------------------------------------------------------


def usage_differences(got: dict[str, Any], want: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, printed, model) for every field that differs; quantities (plain decimals) are
    compared by value."""
    differences: list[tuple[str, Any, Any]] = []
    if set(got) != set(want):
        differences.append(("keys", sorted(got), sorted(want)))
    for key in want:
        if key != "products" and got.get(key) != want[key]:
            differences.append((key, got.get(key), want[key]))
    got_codes = [p["code"] for p in got["products"]]
    want_codes = [p["code"] for p in want["products"]]
    if got_codes != want_codes:
        differences.append(("products", got_codes, want_codes))
    else:
        for g, w in zip(got["products"], want["products"], strict=True):
            if set(g) != set(w):
                differences.append((f"{w['code']} keys", sorted(g), sorted(w)))
                continue
            for key, value in w.items():
                if isinstance(value, Decimal):
                    if not PLAIN.fullmatch(g[key]) or Decimal(g[key]) != value:
                        differences.append((f"{w['code']}.{key}", g[key], str(value)))
                elif g[key] != value:
                    differences.append((f"{w['code']}.{key}", g[key], value))
    return differences


def check_hour_buckets(cli: Cli, model: Model, today: date, first: date, last: date) -> None:
    """Hour buckets: each record in the bucket whose start is the latest at or before its
    local time, every local hour of a day has a bucket, and the hours add up to the day."""
    days = model.sessions_by_day(first, last, None)
    agents = {d: model.seats_on(d) for d in days}
    hours = cli.json(today, "sessions", "--from", str(first), "--to", str(last), "--bucket", "hour")
    check_hours(model, hours, days, agents, first, last, None)


def check_sessions(cli: Cli, model: Model, today: date, first: date, last: date) -> None:
    """Day buckets (all apps and one app), week and month buckets: exactly the model's."""
    for app in (None, "bot1"):
        extra = ["--app", app] if app else []
        days = model.sessions_by_day(first, last, app)
        agents = {d: model.seats_on(d) for d in days}
        by_day = cli.json(
            today, "sessions", "--from", str(first), "--to", str(last), "--bucket", "day", *extra
        )
        want = [
            {
                "start": d.isoformat(),
                "billing_sessions": v[0],
                "alert_sessions": v[1],
                "voice_sessions": v[2],
                "agents": agents[d],
            }
            for d, v in days.items()
        ]
        assert by_day["buckets"] == want, ("sessions by day", app)
        totals = {
            "billing_sessions": sum(v[0] for v in days.values()),
            "alert_sessions": sum(v[1] for v in days.values()),
            "voice_sessions": sum(v[2] for v in days.values()),
            "peak_agents": max(agents.values()),
        }
        assert by_day["totals"] == totals, ("sessions totals", app, by_day["totals"], totals)
        if app is not None:
            continue  # the app filter is checked by day; the other buckets once, for all apps
        for bucket in ("week", "month"):
            got = cli.json(
                today,
                "sessions",
                "--from",
                str(first),
                "--to",
                str(last),
                "--bucket",
                bucket,
                *extra,
            )
            grouped: dict[str, dict[str, int]] = {}
            for d, v in days.items():
                start = d - timedelta(days=d.weekday()) if bucket == "week" else d.replace(day=1)
                row = grouped.setdefault(
                    start.isoformat(),
                    {
                        "start": start.isoformat(),
                        "billing_sessions": 0,
                        "alert_sessions": 0,
                        "voice_sessions": 0,
                        "agents": 0,
                    },
                )
                row["billing_sessions"] += v[0]
                row["alert_sessions"] += v[1]
                row["voice_sessions"] += v[2]
                row["agents"] = max(row["agents"], agents[d])
            assert got["buckets"] == list(grouped.values()), ("sessions by", bucket, app)
            assert got["totals"] == totals, ("sessions totals by", bucket, app)


def check_hours(
    model: Model,
    got: dict[str, Any],
    days: dict[date, tuple[int, int, int]],
    agents: dict[date, int],
    first: date,
    last: date,
    app: str | None,
) -> None:
    zone = model.zone
    buckets = got["buckets"]
    starts = [datetime.fromisoformat(b["start"]) for b in buckets]
    instants = [s.astimezone(UTC) for s in starts]
    assert instants == sorted(instants), "hour buckets in time order"
    walls = [s.replace(tzinfo=None) for s in starts]
    per_day: dict[date, list[int]] = {d: [] for d in days}
    for index, wall in enumerate(walls):
        assert wall.date() in per_day, ("hour bucket outside the range", buckets[index])
        per_day[wall.date()].append(index)
    for day, indexes in per_day.items():
        assert {walls[i].hour for i in indexes} >= set(model.wall_hours(day)), (
            "an hour of the day has no bucket",
            day.isoformat(),
            sorted({walls[i].hour for i in indexes}),
            model.wall_hours(day),
        )
        for i in indexes:
            assert buckets[i]["agents"] == agents[day], ("hour agents", day.isoformat())
        summed = tuple(
            sum(buckets[i][k] for i in indexes)
            for k in ("billing_sessions", "alert_sessions", "voice_sessions")
        )
        assert summed == days[day], ("hours add up to the day", day.isoformat(), app, summed)
    want = [[0, 0, 0] for _ in buckets]
    from tests.model.rules import billing_sessions, instant_of, voice_sessions
    from tests.model.workspace import Alert

    for record in model.session_records(first, last, app):
        at = instant_of(record)
        assert at is not None
        wall = at.astimezone(zone).replace(tzinfo=None)
        candidates = [i for i in per_day[wall.date()] if walls[i] <= wall]
        if not candidates:
            continue  # the day's sums above already fail
        latest = max(walls[i] for i in candidates)
        same = [i for i in candidates if walls[i] == latest]
        chosen = [i for i in same if instants[i] <= at] or same
        index = chosen[-1]
        if isinstance(record, Alert):
            want[index][1] += 1
        else:
            want[index][0] += billing_sessions(record)
            want[index][2] += voice_sessions(record)
    for bucket, expected in zip(buckets, want, strict=True):
        seen = [bucket["billing_sessions"], bucket["alert_sessions"], bucket["voice_sessions"]]
        assert seen == expected, ("hour bucket", bucket["start"], app, seen, expected)


# --- the property ------------------------------------------------------------------------------


def run_scenario(scenario: Scenario, folder: Path, found: list[str] | None = None) -> None:
    """Run the timeline and compare. With ``found`` (the survey), a difference in a read is
    recorded there and the run goes on; a close or import that differs still ends it."""

    def check(function: Any, *args: Any, **kwargs: Any) -> None:
        try:
            function(*args, **kwargs)
        except AssertionError as failure:
            if found is None:
                raise
            found.append(kind_of(failure, 0))

    ws = scenario.workspace
    model = Model(ws)
    cli = Cli(folder, ws.timezone)
    setup_day = scenario.steps[0].today if scenario.steps else scenario.final_day
    for kind, path in setup_files(ws, folder):
        cli.ok(setup_day, "import", kind, str(path))
    for unit in ws.units:
        cli.ok(setup_day, "units", "add", unit.name)
        args = [a for u in unit.users for a in ("--user", u)]
        args += [a for n in unit.numbers for a in ("--number", n)]
        if args:
            cli.ok(setup_day, "units", "assign", unit.name, *args)
    for number, step in enumerate(scenario.steps):
        today, action = step.today, step.action
        where = f"step {number} on {today}: {action}"
        if isinstance(action, Import):
            cli.files += 1
            path = records_file(action.kind, action.records, folder / f"r{cli.files}.csv")
            refused = model.import_records(action.records, today)
            code, _out, err = cli.run(today, "import", action.kind, str(path))
            if refused is None:
                assert code == 0, (where, "import refused", err)
            else:
                assert code == 2, (where, "a refused record was imported", refused)
                assert any(phrase in err for phrase in refused), (where, "refused", refused, err)
        elif isinstance(action, Buy):
            cli.buy(today, action.amount, action.one_time_payment)
            model.buy(today, action.amount)
        elif isinstance(action, Close):
            want = model.close(action.month, today)
            code, out, err = cli.run(today, "close-month", month_text(action.month), "--json")
            if isinstance(want, str):
                assert code == 2, (where, "close should be refused", want, out)
                assert want in err, (where, "refused for another reason", want, err)
            else:
                assert code == 0, (where, "close refused", err)
                assert json.loads(out) == want, (where, "close-month --json", out, want)
        elif isinstance(action, Read):
            # usage of every month so far (open ones are rated after the unclosed months
            # before them); the units report of this month and the one before
            current = month_of(today)
            month = scenario.first_month
            while month <= current:
                units = month >= plus(current, -1)
                check(check_month, cli, model, today, month, where, units=units)
                month = plus(month, 1)
    today = scenario.final_day
    month = scenario.first_month
    while month <= scenario.last_month:
        check(check_month, cli, model, today, month, f"final read of {month_text(month)}")
        month = plus(month, 1)
    span = (first_day(scenario.first_month), last_day(scenario.last_month))
    check(check_hour_buckets, cli, model, today, *span)
    check(check_sessions, cli, model, today, *span)


def check_month(
    cli: Cli, model: Model, today: date, month: tuple[int, int], where: str, units: bool = True
) -> None:
    want = model.usage_json(month, today)
    if want is not None:
        got = cli.json(today, "usage", "--month", month_text(month))
        diff = usage_differences(got, want)
        context = (f"{where}: usage {month_text(month)}", "(field, printed, model)", diff)
        # Separate assertions, so that Hypothesis reports (and shrinks) each kind on its own.
        fields = {name.split(".")[-1] for name, _got, _want in diff}
        if want["closed"]:
            if fields == {"contact_center_services_balance"}:
                assert not diff, ("closed month: Contact center services balance", *context)
            assert not diff, ("closed month", *context)
        if fields & {"quantity", "free_units_total", "free_units_used", "products"}:
            assert not diff, ("open month: quantities", *context)
        assert not diff, ("open month: money", *context)
    if not units:
        return
    got_units = cli.json(today, "units", "report", "--month", month_text(month))
    want_units = model.units_json(month, today)
    assert got_units == want_units, (f"{where}: units report {month_text(month)}", got_units)


def kind_of(failure: AssertionError, index: int) -> str:
    """The kind of difference an assertion names: the ``index``-th string of its message
    tuple (pytest has turned the tuple into text by now)."""
    text = str(failure.args[0]) if failure.args else str(failure)
    names = re.findall(r"'([^']*)'", text.splitlines()[0])
    kind = names[index] if len(names) > index else text.splitlines()[0]
    return "units report" if ": units report" in kind else kind[:80]


@MODEL_SETTINGS
@given(scenario=scenarios())
def test_the_figures_follow_the_model(scenario: Scenario) -> None:
    note(describe(scenario))
    with TemporaryDirectory(prefix="billing-model-") as folder:
        if SURVEY is None:
            run_scenario(scenario, Path(folder))
            return
        # The survey: the same examples, each run to its end, the kinds of difference listed.
        found: list[str] = []
        try:
            run_scenario(scenario, Path(folder), found)
        except AssertionError as failure:
            found.append(kind_of(failure, 1))
        with open(SURVEY, "a", encoding="utf-8") as out:
            out.write(json.dumps({"found": sorted(set(found)), "scenario": describe(scenario)}))
            out.write("\n")
