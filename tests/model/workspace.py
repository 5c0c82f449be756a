"""The raw data of a generated workspace, as the model-based test writes it to CSV files.

Plain values only: the model (``rules.py``) reads these records directly, and ``csv_files``
writes them in the import formats of the README ("Import formats"). Nothing here imports the
application.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

# ISO 4217 minor-unit digits of the currencies the test uses.
MINOR_DIGITS = {"JPY": 0, "USD": 2, "EUR": 2, "KWD": 3, "BHD": 3}

# (source, metering) pairs a rate card may use (README "Import formats", rate-card).
RULES: tuple[tuple[str, str], ...] = (
    ("calls", "sum"),
    ("calls", "count"),
    ("recordings", "sum"),
    ("recordings", "count"),
    ("storage", "sum"),
    ("storage", "peak_day"),
    ("sms", "count"),
    ("alerts", "count"),
    ("alerts", "sessions"),
    ("interviews", "count"),
    ("conversations", "sessions"),
    ("conversations", "voice_sessions"),
    ("conversations", "count"),
    ("agents", "per_agent"),
    ("numbers", "per_number"),
)
UNIT_OF = {
    "calls": "minute",
    "recordings": "minute",
    "storage": "GB",
    "sms": "message",
    "alerts": "session",
    "interviews": "session",
    "conversations": "session",
    "agents": "agent",
    "numbers": "number",
}


@dataclass(frozen=True)
class Product:
    code: str
    source: str
    metering: str
    unit_price: Decimal
    free_units_per_agent: Decimal
    contact_center_services: bool
    commit: str  # not_available, available, active
    tiers: tuple[tuple[Decimal, Decimal], ...] = ()  # (above, price), increasing

    @property
    def name(self) -> str:
        return f"{self.code} {self.source} by {self.metering}"


@dataclass(frozen=True)
class Commit:
    product: str | None
    amount: Decimal
    frequency: str
    started_on: date


@dataclass(frozen=True)
class Seat:
    user: str
    started_on: date
    ended_on: date | None


@dataclass(frozen=True)
class BillingUnit:
    name: str
    users: tuple[str, ...]
    numbers: tuple[str, ...]


@dataclass(frozen=True)
class Conversation:
    id: str
    app: str
    channel: str
    started_at: datetime  # aware, UTC
    ended_at: datetime
    human_agent_seconds: int


@dataclass(frozen=True)
class Alert:
    id: str
    app: str
    user: str
    at: datetime


@dataclass(frozen=True)
class Call:
    id: str
    number: str | None
    user: str | None
    started_at: datetime
    duration_seconds: int


@dataclass(frozen=True)
class Sms:
    id: str
    at: datetime


@dataclass(frozen=True)
class Interview:
    id: str
    at: datetime


@dataclass(frozen=True)
class Recording:
    id: str
    at: datetime
    minutes: Decimal


@dataclass(frozen=True)
class Snapshot:
    day: date
    quantity: Decimal


Record = Conversation | Alert | Call | Sms | Interview | Recording | Snapshot
KIND_OF: dict[type, str] = {
    Conversation: "conversations",
    Alert: "alerts",
    Call: "calls",
    Sms: "sms",
    Interview: "interviews",
    Recording: "recordings",
    Snapshot: "storage",
}

USERS = ("adm", "u1", "u2", "u3", "u4")  # adm is the admin the CLI acts as
APPS = ("bot1", "bot2")


@dataclass(frozen=True)
class Workspace:
    currency: str
    timezone: str
    commit_scope: str
    products: tuple[Product, ...]
    commits: tuple[Commit, ...] = ()
    seats: tuple[Seat, ...] = ()
    numbers: tuple[str, ...] = ()
    units: tuple[BillingUnit, ...] = ()


# --- the timeline: what happens, on which local day -------------------------------------------


@dataclass(frozen=True)
class Import:
    kind: str
    records: tuple[Record, ...]


@dataclass(frozen=True)
class Buy:
    amount: Decimal
    one_time_payment: bool = False


@dataclass(frozen=True)
class Close:
    month: tuple[int, int]


@dataclass(frozen=True)
class Read:
    """usage --json and units report --json of a month (None: the current month)."""

    month: tuple[int, int] | None


Action = Import | Buy | Close | Read


@dataclass(frozen=True)
class Step:
    today: date  # the local day in the account's zone when the action runs
    action: Action


@dataclass(frozen=True)
class Scenario:
    workspace: Workspace
    steps: tuple[Step, ...]
    # The final reads: every month from the first to the last (year, month), on the last day.
    first_month: tuple[int, int]
    last_month: tuple[int, int]
    final_day: date
    notes: tuple[str, ...] = field(default=())


# --- CSV --------------------------------------------------------------------------------------


def instant_text(at: datetime) -> str:
    """ISO 8601 in UTC with Z; a fraction of a second is written as it is (…T10:30:00.5Z)."""
    text = at.astimezone(UTC).replace(tzinfo=None).isoformat()
    if "." in text:
        text = text.rstrip("0")
    return text + "Z"


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([["" if v is None else str(v) for v in row] for row in rows])
    return path


def setup_files(ws: Workspace, folder: Path) -> list[tuple[str, Path]]:
    """The files of the workspace's setup, in import order (README "Import formats")."""
    files = [
        (
            "account",
            _write(
                folder / "account.csv",
                ["name", "currency", "timezone", "plan", "payment_method", "commit_scope"],
                [["Model Ltd", ws.currency, ws.timezone, "pro", "invoice", ws.commit_scope]],
            ),
        ),
        (
            "rate-card",
            _write(
                folder / "rate-card.csv",
                [
                    "code",
                    "name",
                    "unit",
                    "unit_price",
                    "free_units_per_agent",
                    "contact_center_services",
                    "metering",
                    "source",
                    "commit",
                    "tiers",
                ],
                [
                    [
                        p.code,
                        p.name,
                        UNIT_OF[p.source],
                        p.unit_price,
                        p.free_units_per_agent,
                        "true" if p.contact_center_services else "false",
                        p.metering,
                        p.source,
                        p.commit,
                        ";".join(f"{above}:{price}" for above, price in p.tiers),
                    ]
                    for p in ws.products
                ],
            ),
        ),
    ]
    if ws.commits:
        files.append(
            (
                "commits",
                _write(
                    folder / "commits.csv",
                    ["product", "amount", "frequency", "started_on"],
                    [
                        [c.product, c.amount, c.frequency, c.started_on.isoformat()]
                        for c in ws.commits
                    ],
                ),
            )
        )
    files.append(
        (
            "users",
            _write(
                folder / "users.csv",
                ["id", "name", "email", "role"],
                [
                    [u, f"User {u}", f"{u}@example.com", "admin" if u == "adm" else "agent"]
                    for u in USERS
                ],
            ),
        )
    )
    if ws.seats:
        files.append(
            (
                "agents",
                _write(
                    folder / "agents.csv",
                    ["user_id", "started_on", "ended_on"],
                    [
                        [s.user, s.started_on.isoformat(), s.ended_on and s.ended_on.isoformat()]
                        for s in ws.seats
                    ],
                ),
            )
        )
    if ws.numbers:
        files.append(
            ("numbers", _write(folder / "numbers.csv", ["number"], [[n] for n in ws.numbers]))
        )
    files.append(
        (
            "plans",
            _write(
                folder / "plans.csv",
                ["code", "name", "monthly_price", "included_sessions", "rank"],
                [["basic", "Basic", "0", "100", "1"]],
            ),
        )
    )
    files.append(
        (
            "apps",
            _write(
                folder / "apps.csv",
                ["id", "name", "owner_user_id", "plan", "status", "balance"],
                [[a, f"App {a}", "adm", "basic", "active", "0"] for a in APPS],
            ),
        )
    )
    return files


def records_file(kind: str, records: tuple[Record, ...], path: Path) -> Path:
    """One import file of ``kind`` holding ``records``."""
    if kind == "conversations":
        header = ["id", "app", "channel", "started_at", "ended_at", "human_agent_seconds"]
        rows: list[list[object]] = [
            [
                r.id,
                r.app,
                r.channel,
                instant_text(r.started_at),
                instant_text(r.ended_at),
                r.human_agent_seconds,
            ]
            for r in records
            if isinstance(r, Conversation)
        ]
    elif kind == "alerts":
        header = ["id", "app", "user_id", "delivered_at"]
        rows = [[r.id, r.app, r.user, instant_text(r.at)] for r in records if isinstance(r, Alert)]
    elif kind == "calls":
        header = [
            "id",
            "type",
            "triggered_by",
            "trigger_source",
            "candidate_id",
            "campaign",
            "number",
            "user_id",
            "started_at",
            "duration_seconds",
        ]
        rows = [
            [
                r.id,
                "live",
                "recruiter",
                "manual",
                None,
                "c1",
                r.number,
                r.user,
                instant_text(r.started_at),
                r.duration_seconds,
            ]
            for r in records
            if isinstance(r, Call)
        ]
    elif kind == "sms":
        header = ["id", "type", "campaign", "sent_at"]
        rows = [[r.id, "reminder", "c1", instant_text(r.at)] for r in records if isinstance(r, Sms)]
    elif kind == "interviews":
        header = ["id", "method", "campaign", "completed_at"]
        rows = [
            [r.id, "phone", "c1", instant_text(r.at)] for r in records if isinstance(r, Interview)
        ]
    elif kind == "recordings":
        header = ["id", "campaign", "minutes", "recorded_at"]
        rows = [
            [r.id, "c1", r.minutes, instant_text(r.at)] for r in records if isinstance(r, Recording)
        ]
    elif kind == "storage":
        header = ["day", "quantity"]
        rows = [[r.day.isoformat(), r.quantity] for r in records if isinstance(r, Snapshot)]
    else:
        raise ValueError(kind)
    assert len(rows) == len(records), (kind, records)
    return _write(path, header, rows)


def describe(scenario: Scenario) -> str:
    """The scenario as readable lines: the workspace, then the timeline (for failure reports)."""
    ws = scenario.workspace
    lines = [
        f"account: {ws.currency}, {ws.timezone}, commit scope {ws.commit_scope}",
        *(
            f"product {p.code}: {p.source} by {p.metering} at {p.unit_price}"
            + (f" tiers {';'.join(f'{a}:{b}' for a, b in p.tiers)}" if p.tiers else "")
            + f", free/agent {p.free_units_per_agent}, cc {p.contact_center_services}, "
            f"commit {p.commit}"
            for p in ws.products
        ),
        *(
            f"commit {c.product or '(account)'}: {c.amount} {c.frequency} from {c.started_on}"
            for c in ws.commits
        ),
        *(f"seat {s.user}: {s.started_on} to {s.ended_on or '-'}" for s in ws.seats),
        *(f"number {n}" for n in ws.numbers),
        *(f"unit {u.name}: users {u.users}, numbers {u.numbers}" for u in ws.units),
    ]
    for step in scenario.steps:
        action = step.action
        if isinstance(action, Import):
            body = f"import {action.kind}: " + "; ".join(
                f"{r.day} {r.quantity}" if isinstance(r, Snapshot) else _record_text(r)
                for r in action.records
            )
        else:
            body = repr(action)
        lines.append(f"{step.today}: {body}")
    lines.append(
        f"final reads on {scenario.final_day}: months {scenario.first_month} to "
        f"{scenario.last_month}"
    )
    return "\n".join(lines)


def _record_text(record: Record) -> str:
    if isinstance(record, Conversation):
        return (
            f"{record.id} {record.app} {record.channel} {instant_text(record.started_at)} to "
            f"{instant_text(record.ended_at)} human {record.human_agent_seconds}s"
        )
    if isinstance(record, Call):
        return (
            f"{record.id} {instant_text(record.started_at)} {record.duration_seconds}s "
            f"number {record.number} user {record.user}"
        )
    if isinstance(record, Alert):
        return f"{record.id} {record.app} {record.user} {instant_text(record.at)}"
    if isinstance(record, Recording):
        return f"{record.id} {instant_text(record.at)} {record.minutes} min"
    assert isinstance(record, Sms | Interview)
    return f"{record.id} {instant_text(record.at)}"
