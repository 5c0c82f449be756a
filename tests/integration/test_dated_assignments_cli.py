"""``billing-desktop units assign … --from DATE [--preview]`` (issue 20 §5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from tests.integration.units_workspace import fill

MOVE = ("units", "assign", "Support", "--number", "+15550100", "--move", "--from", "2026-10-05")


@pytest.fixture
def store_arg(store: SqlStore, store_path: Path) -> list[str]:
    with store() as uow:
        fill(uow)
        uow.commit()
    return ["--store", str(store_path)]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def october(capsys: pytest.CaptureFixture[str], store_arg: list[str]) -> dict[str, str]:
    status, out, _ = run(capsys, *store_arg, "units", "report", "--month", "2026-10", "--json")
    assert status == 0
    return {u["name"]: u["total"] for u in json.loads(out)["units"]}


def test_preview_then_assign_from_a_date(
    store_arg: list[str], store: SqlStore, capsys: pytest.CaptureFixture[str]
) -> None:
    before = october(capsys, store_arg)
    status, out, _ = run(capsys, *store_arg, *MOVE, "--preview", "--json")
    assert status == 0
    preview = json.loads(out)
    assert preview["from"] == "2026-10-05"
    first = preview["months"][0]
    assert first["month"] == "2026-10"
    assert {u["name"]: u["before"] for u in first["units"]} == before
    with store() as uow:
        assert uow.units.history() == []  # a preview writes nothing
    status, out, _ = run(capsys, *store_arg, *MOVE, "--preview")
    assert status == 0
    assert out.startswith("Preview (nothing saved): Move 1 number from Sales to Support from 2026")
    assert "2026-10 (at list price)\nBilling unit  Before    After  Change\n" in out
    assert "\nSupport       $98.88  $101.33  +$2.45\n" in out
    status, out, _ = run(capsys, *store_arg, *MOVE)
    assert status == 0
    assert out.strip() == "Move 1 number from Sales to Support from 2026-10-05: done."
    assert october(capsys, store_arg) == {u["name"]: u["after"] for u in first["units"]}


def test_a_bad_date_is_one_line_and_exit_2(
    store_arg: list[str], store: SqlStore, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(
        capsys,
        *store_arg,
        "units",
        "assign",
        "Support",
        "--number",
        "+15550102",
        "--from",
        "2999-01-01",
    )
    assert status == 2
    assert err.strip().count("\n") == 0 and "after today" in err
    with pytest.raises(SystemExit) as exited:
        main([*store_arg, "units", "assign", "Support", "--user", "di", "--from", "2026-13-01"])
    assert exited.value.code == 2
    assert "is not a date (YYYY-MM-DD)" in capsys.readouterr().err
    with store() as uow:
        assert uow.units.history() == []


def test_move_users_from_a_date(
    store_arg: list[str], store: SqlStore, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("units", "assign", "Support", "--user", "ada", "--move-users", "--from", "2026-10-08")
    status, out, _ = run(capsys, *store_arg, *args)
    assert status == 0
    assert out.strip() == "Move 1 user from Sales to Support from 2026-10-08: done."
    with store() as uow:
        assert {u.name: u.user_ids for u in uow.units.all()}["Sales"] == ("bo",)
    assert october(capsys, store_arg)["Sales"] == "35.30"


def test_units_history_says_who_moved_what_from_when(
    store_arg: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, *store_arg, "units", "history")
    assert status == 0 and out.strip() == "No changes to billing-unit membership recorded yet."
    assert run(capsys, *store_arg, *MOVE)[0] == 0
    status, out, _ = run(capsys, *store_arg, "units", "history", "--json")
    assert status == 0
    changes = json.loads(out)["changes"]
    assert [(c["unit"], c["member"], c["change"], c["from"]) for c in changes] == [
        ("Sales", "+15550100", "left", "2026-10-05"),
        ("Support", "+15550100", "joined", "2026-10-05"),
    ]
    assert all(c["by"] and c["recorded_at"] for c in changes)
    status, out, _ = run(capsys, *store_arg, "units", "history")
    lines = out.splitlines()
    assert lines[0].split() == ["Recorded", "(UTC)", "By", "Unit", "Member", "Change", "From"]
    assert lines[1].split()[-4:] == ["Sales", "+15550100", "left", "2026-10-05"]
