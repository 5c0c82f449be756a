"""``billing-desktop units add|assign|report`` (PRODUCT §11, §11.1)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from tests.integration.units_workspace import EXPECTED_OCTOBER, fill

D = Decimal


@pytest.fixture
def store_arg(store: SqlStore, store_path: Path) -> list[str]:
    with store() as uow:
        fill(uow)
        uow.commit()
    return ["--store", str(store_path)]


def units(store: SqlStore) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    with store() as uow:
        return {u.name: (u.user_ids, u.numbers) for u in uow.units.all()}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_units_add_then_assign_users_teams_and_numbers(
    store_arg: list[str], store: SqlStore, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, *store_arg, "units", "add", " Marketing ")
    assert status == 0 and out.strip() == "Added billing unit 'Marketing'."
    status, out, _ = run(
        capsys,
        *store_arg,
        "units",
        "assign",
        "marketing",  # names match whatever their case
        "--user",
        "di",
        "--team",
        "Support",
        "--number",
        "+15550102",
    )
    assert status == 0
    assert out.strip() == "Assign 3 users and 1 number to Marketing: done."
    assert units(store)["Marketing"] == (("bo", "cy", "di"), ("+15550102",))
    status, out, _ = run(capsys, *store_arg, "units", "assign", "Marketing", "--user", "di")
    assert status == 0 and out.strip() == "Nothing to change: already in 'Marketing'."


def test_a_number_in_another_unit_exits_2_naming_the_unit(
    store_arg: list[str], store: SqlStore, capsys: pytest.CaptureFixture[str]
) -> None:
    before = units(store)
    status, out, err = run(
        capsys, *store_arg, "units", "assign", "Support", "--user", "di", "--number", "+15550100"
    )
    assert status == 2 and out == ""
    assert err.strip() == "billing-desktop: error: +15550100 is already in unit 'Sales'"
    assert units(store) == before  # nothing written, not even di


def test_move_moves_a_held_number(
    store_arg: list[str], store: SqlStore, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys, *store_arg, "units", "assign", "Support", "--number", "+15550100", "--move"
    )
    assert status == 0 and out.strip() == "Move 1 number from Sales to Support: done."
    assert units(store)["Sales"][1] == ()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["units", "add", "sales"], "already a billing unit named 'Sales'"),
        (["units", "add", "   "], "a billing unit needs a name"),
        (["units", "assign", "Nope", "--user", "di"], "no billing unit named 'Nope'"),
        (["units", "assign", "Sales"], "give at least one --user, --team or --number"),
        (["units", "assign", "Sales", "--user", "zed"], "no user 'zed'"),
        (["units", "assign", "Sales", "--team", "Ops"], "no team named 'Ops'"),
        (["--user", "vera", "units", "add", "X"], "needs the right to edit Billing Units"),
        (["--user", "shay", "units", "report"], "needs the right to view Billing Units"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    store_arg: list[str],
    store: SqlStore,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    before = units(store)
    status, out, err = run(capsys, *store_arg, *args)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and message in err
    assert units(store) == before


@pytest.mark.parametrize(
    "args",
    [["units"], ["units", "report", "--month", "2026-13"], ["units", "assign"]],
)
def test_malformed_commands_exit_2(
    store_arg: list[str], capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*store_arg, *args])
    assert exited.value.code == 2
    assert "error" in capsys.readouterr().err


def test_units_report_json_has_the_promised_shape_and_adds_up(
    store_arg: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, *store_arg, "units", "report", "--month", "2026-10", "--json")
    assert status == 0
    data = json.loads(out)
    assert {"month", "currency", "total", "units"} <= set(data)
    assert (data["month"], data["currency"], data["total"]) == ("2026-10", "USD", "200.69")
    got = {u["name"]: (D(u["usage"]), D(u["recurring"]), D(u["total"])) for u in data["units"]}
    assert got == EXPECTED_OCTOBER
    for unit in data["units"]:
        assert {"name", "usage", "recurring", "total"} <= set(unit)
        assert all(len(unit[k].split(".")[1]) == 2 for k in ("usage", "recurring", "total"))
    assert sum(D(u["total"]) for u in data["units"]) == D(data["total"])


def test_units_report_as_text_for_a_view_only_user(
    store_arg: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys, *store_arg, "--user", "vera", "units", "report", "--month", "2026-10"
    )
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("Billing units for 2026-10 (open; USD, at list price")
    assert "Sales         $1.65     $33.66   $35.31" in lines
    assert "Total         $2.21    $198.48  $200.69" in lines
    assert any(line.startswith("Unassigned:") for line in lines)


def test_the_unassigned_row_is_left_out_when_nothing_is_unassigned(
    store: SqlStore, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from billing_desktop.domain import model as m

    with store() as uow:
        uow.account.save(
            m.Account(
                "Bare", "USD", "UTC", m.PlanTier.PRO, m.PaymentMethod.INVOICE, m.CommitScope.NONE
            )
        )
        uow.users.add_many([m.User("ada", "Ada", "a@x", m.Role.ADMIN)])
        uow.commit()
    args = ["--store", str(store_path)]
    assert main([*args, "units", "add", "Only"]) == 0
    capsys.readouterr()
    assert main([*args, "units", "report", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [u["name"] for u in data["units"]] == ["Only"]
    assert data["total"] == "0.00"
