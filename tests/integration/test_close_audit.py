"""Issue 18 §1 and §4 on a local store, through the command line: the close preview is what
close-month writes; the activity report and its filters; `audit verify` finds an edited, a
removed or a foreign row; migration 0011 chains a store's existing rows."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain.access import rights_for
from billing_desktop.domain.model import Privilege, Role, User
from billing_desktop.domain.periods import Month
from billing_desktop.services import activity, month_close, plans
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.demo import build_demo
from billing_desktop.store.sql.engine import alembic_config
from tests.integration.pdf_text import pdf_text

TODAY = "2026-12-04"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("close-audit") / "demo.db"
    store = SqlStore(f"sqlite:///{path}")
    try:
        build_demo(store, seed=7, today=datetime.fromisoformat(TODAY).date())
    finally:
        store.dispose()
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "store.db"
    shutil.copy(template, path)
    yield path


def run(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--store", str(db), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def run_json(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> object:
    code, out, err = run(db, capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


# --- §1: the close preview -------------------------------------------------------------------


def _ledger(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT occurred_on, kind, amount_minor, product, reference, description, pool "
            "FROM ledger ORDER BY id"
        ).fetchall()


def test_the_preview_is_exactly_what_close_month_writes(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db, capsys, "close-month", "2026-10")[0] == 0
    # A downgrade falls due in November, so the close applies one.
    store = SqlStore(f"sqlite:///{db}")
    with store(write=True) as uow:
        app = uow.apps.get_many(["app-support-bot"])["app-support-bot"]
        uow.apps.update(dataclasses.replace(app, plan_ends_on=datetime(2026, 11, 30).date()))
        uow.commit()
    store.dispose()

    preview = run_json(db, capsys, "close-preview", "2026-11")
    assert isinstance(preview, dict)
    before = _ledger(db)
    closed = run_json(db, capsys, "close-month", "2026-11")
    assert isinstance(closed, dict)
    written = _ledger(db)[len(before) :]

    assert closed["invoice"] == preview["invoice"]
    assert preview["invoice"]["number"] == "INV-000007"
    assert closed["lines"] == len(preview["lines"])
    expected = [
        (
            r["occurred_on"],
            r["kind"],
            int(Decimal(r["amount"]) * 100),
            r["product"],
            r["reference"],
            r["description"],
            r["pool"],
        )
        for r in preview["ledger_rows"]
    ]
    assert expected == written
    assert preview["downgrades"] == [
        {"app": "app-support-bot", "name": "Support Bot", "from": "enterprise", "to": "scale"}
    ]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT plan FROM apps WHERE id='app-support-bot'").fetchone() == (
            "scale",
        )
        lines = conn.execute(
            "SELECT product, charged_minor FROM month_lines WHERE month = '2026-11-01'"
        ).fetchall()
    assert sorted((line["product"], line["charged"]) for line in preview["lines"]) == sorted(
        (product, f"{Decimal(charged) / 100:.2f}") for product, charged in lines
    )


def test_months_close_in_order_and_the_preview_says_so(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(db, capsys, "close-preview", "2026-11")
    assert code == 2
    assert "close 2026-10 first" in err
    code, _, err = run(db, capsys, "close-preview", "2026-12")
    assert code == 2 and "not over yet" in err
    assert run(db, capsys, "close-month", "2026-10")[0] == 0
    code, out, _ = run(db, capsys, "close-preview", "2026-10")
    assert (code, out.strip()) == (0, "2026-10 is closed already; closing it again writes nothing.")
    store = SqlStore(f"sqlite:///{db}")
    try:
        with store() as uow:
            actor = resolve_actor(uow, None)
            today = datetime.fromisoformat(TODAY).date()
            due = month_close.months_to_close(uow, actor, today)
        assert due == [Month(2026, 11)]
    finally:
        store.dispose()


# --- §4: the activity report and the chain ---------------------------------------------------


def test_activity_lists_newest_first_with_filters(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db, capsys, "close-month", "2026-10")[0] == 0
    assert run(db, capsys, "units", "add", "Quality")[0] == 0
    rows = run_json(db, capsys, "activity")
    assert isinstance(rows, list)
    assert [r["kind"] for r in rows] == ["billing-unit.add", "close-month", "demo"]
    assert rows[0]["source"] == "Desktop"
    assert rows[0]["change"].startswith("name: Quality")
    assert rows[1]["object"] == {"kind": "month", "id": "2026-10"}
    only = run_json(db, capsys, "activity", "--kind", "close-month")
    assert [r["kind"] for r in only] == ["close-month"]  # type: ignore[union-attr]
    assert run_json(db, capsys, "activity", "--object", "month:2026-10") == only
    assert run_json(db, capsys, "activity", "--user", "nobody") == []
    assert run_json(db, capsys, "activity", "--to", "2026-01-01") == []
    code, out, _ = run(db, capsys, "activity")
    assert code == 0
    assert out.splitlines()[0].split()[:3] == ["When", "User", "Source"]


def test_activity_saves_csv_and_a_pdf_that_says_the_chain_is_verified(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db, capsys, "units", "add", "=cmd|' /C calc'!A0")[0] == 0
    csv_path, pdf_path = tmp_path / "a.csv", tmp_path / "a.pdf"
    assert run(db, capsys, "activity", "--out", str(csv_path))[0] == 0
    text = csv_path.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "When,User,Source,Kind of change,Object,Change"
    assert "'=cmd" in text  # formula-safe
    assert run(db, capsys, "activity", "--out", str(pdf_path))[0] == 0
    assert "chain verified: 2 audit rows" in pdf_text(pdf_path)
    for bad, message in (
        (tmp_path / "missing" / "a.csv", "no such folder"),
        (tmp_path / "a.txt", "ending in .csv, .xlsx or .pdf"),
    ):
        code, _, err = run(db, capsys, "activity", "--out", str(bad))
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1
        assert not bad.exists()


def test_audit_verify_names_an_edited_row(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("Quality", "Training", "Night shift"):
        assert run(db, capsys, "units", "add", name)[0] == 0
    code, out, _ = run(db, capsys, "audit", "verify")
    assert (code, out.strip()) == (0, "chain verified: 4 audit rows, none changed")
    with sqlite3.connect(db) as conn:
        (row_id,) = conn.execute(
            "SELECT id FROM audit_log WHERE after LIKE '%Training%'"
        ).fetchone()
        conn.execute(
            "UPDATE audit_log SET after = replace(after, 'Training', 'Trainee') WHERE id = ?",
            (row_id,),
        )
    code, out, _ = run(db, capsys, "audit", "verify")
    assert code == 2
    assert out.strip().startswith(f"chain broken at audit row {row_id}:")
    report = run(db, capsys, "audit", "verify", "--json")
    assert json.loads(report[1])["broken_row"] == row_id and report[0] == 2


def test_audit_verify_finds_a_removed_and_a_foreign_row(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("Quality", "Training"):
        assert run(db, capsys, "units", "add", name)[0] == 0
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM audit_log WHERE chain_seq = 2")
    code, out, _ = run(db, capsys, "audit", "verify")
    assert code == 2 and "row 2 of the chain is missing" in out
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM audit_log WHERE chain_seq = 3")  # the tail, now: chain ok
        conn.execute(
            "INSERT INTO audit_log (at, actor, origin, action, entity, entity_id) "
            "VALUES (0, 'x', 'desktop/local', 'forged', 'ledger', '1')"
        )
    code, out, _ = run(db, capsys, "audit", "verify")
    assert code == 2 and "it is not in the chain" in out


def test_migration_0011_chains_the_rows_a_store_already_has(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db, capsys, "close-month", "2026-10")[0] == 0
    store = SqlStore(f"sqlite:///{db}")
    with store.engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0010")
    store.dispose()
    with sqlite3.connect(db) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(audit_log)")]
        assert "chain_hash" not in columns
    code, out, _ = run(db, capsys, "audit", "verify")  # opening it upgrades it
    assert (code, out.strip()) == (0, "chain verified: 2 audit rows, none changed")


def test_a_user_without_plans_sees_no_plan_activity(db: Path) -> None:
    store = SqlStore(f"sqlite:///{db}")
    try:
        with store(write=True) as uow:
            uow.users.add_many(
                [
                    User(
                        "u900",
                        "Sam Shared",
                        "sam@example.com",
                        Role.SHARED,
                        (),
                        (Privilege.EDIT_BILLING,),
                    )
                ]
            )
            uow.commit()
        admin = store.read(lambda uow: resolve_actor(uow, None))
        store.write(plans.change_plan, admin, "app-sales-assistant", "scale")
        shared = store.read(lambda uow: resolve_actor(uow, "u900"))
        assert shared.rights == rights_for(Role.SHARED, (Privilege.EDIT_BILLING,))
        query = activity.ActivityQuery()
        mine = store.read(activity.activity_page, admin, query, 0, 100)
        theirs = store.read(activity.activity_page, shared, query, 0, 100)
        assert {line.entity for line in mine} == {"app", "workspace"}
        assert theirs == []
        choices = store.read(activity.activity_choices, shared)
        assert choices.kinds == () and choices.entities == ()
        assert (
            store.read(activity.activity_count, shared, activity.ActivityQuery(entity="app")) == 0
        )
        assert store.read(activity.verify_audit_chain, shared).verified
    finally:
        store.dispose()


def test_describe_change_reads_as_before_and_after() -> None:
    assert activity.describe_change({"name": "Sales", "n": 3}, {"name": "Sales EU", "n": 3}) == (
        "name: Sales → Sales EU"
    )
    assert (
        activity.describe_change(None, {"name": "Q", "ids": ["a", "b"]}) == "name: Q; ids: [a, b]"
    )
    assert activity.describe_change({"name": "Q"}, None) == "removed (name: Q)"
    assert activity.describe_change({"x": None}, {"x": True}) == "x: — → yes"
    assert activity.describe_change({"x": 1}, {"x": 1}) == "no change"
    assigned = activity.describe_change(
        {"name": "Q", "users": [], "numbers": ["+1"]},
        {"name": "Q", "added_users": ["u005"], "added_numbers": []},
    )
    assert assigned == "numbers: [+1] → —; added_users: [u005]"
    assert activity.source_label("api") == "Server"
