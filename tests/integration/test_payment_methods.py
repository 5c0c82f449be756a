"""Payment methods (issue 19 §2): the number is checked and forgotten, one default, expiry
flags, auto-recharge needs a valid default card, and the `payment-methods` command."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from billing_desktop import cli
from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import InvalidInput, NotFound, PermissionDenied
from billing_desktop.domain.payment_methods import (
    check_card,
    check_iban,
    expiry_state,
    parse_expiry,
)
from billing_desktop.services import credits
from billing_desktop.services import payment_methods as pm
from billing_desktop.services.context import resolve_actor
from tests.usage_workspace import build

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
# A Mastercard test number and its CVC: neither may be found anywhere after it was added.
NUMBER = "5105105105105100"
CVC = "739"


@pytest.fixture
def acme(store: SqlStore) -> SqlStore:
    with store() as uow:
        build(uow, TODAY, m.PaymentMethod.INVOICE)  # no card on file yet
        uow.commit()
    return store


def write(store: SqlStore, action: Any, *args: Any, user: str | None = None) -> Any:
    with store() as uow:
        actor = resolve_actor(uow, user)
    return store.write(action, actor, *args, today=TODAY, now=NOW)


# Checking a typed number ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "cvc", "brand"),
    [
        ("4111 1111 1111 1111", "123", "Visa"),
        ("4222222222222", "123", "Visa"),
        ("5555-5555-5555-4444", "123", "Mastercard"),
        ("2223003122003222", "123", "Mastercard"),
        ("378282246310005", "1234", "American Express"),
        ("6011111111111117", "123", "Discover"),
        ("3530111333300000", "123", "JCB"),
        ("36227206271667", "123", "Diners Club"),
    ],
)
def test_a_valid_number_becomes_brand_and_last_four(number: str, cvc: str, brand: str) -> None:
    card = check_card(number, cvc)
    assert (card.brand, card.last_four) == (brand, number.replace(" ", "").replace("-", "")[-4:])


@pytest.mark.parametrize(
    ("number", "cvc", "problem"),
    [
        ("4111 1111 1111 1112", "123", "check digit does not match"),
        ("9111111111111111", "123", "no accepted card brand"),
        ("41111111111111111", "123", "Visa card number has 13 or 16 or 19 digits"),
        ("4111 1111 1111 111a", "123", "only digits"),
        ("", "123", "enter the card number"),
        ("378282246310005", "123", "American Express card is 4 digits"),
        ("4111111111111111", "12", "Visa card is 3 digits"),
    ],
)
def test_a_bad_number_or_cvc_is_refused(number: str, cvc: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        check_card(number, cvc)


def test_ibans_are_checked_and_reduced_to_their_last_four() -> None:
    assert check_iban("de89 3704 0044 0532 0130 00") == "3000"
    assert check_iban("GB82 WEST 1234 5698 7654 32") == "5432"
    with pytest.raises(InvalidInput, match="IBAN is not valid"):
        check_iban("DE89 3704 0044 0532 0130 01")


def test_expiry_flags() -> None:
    assert expiry_state(parse_expiry("10/26"), TODAY) == "expired"
    assert expiry_state(parse_expiry("11/26"), TODAY) == "expiring"  # valid through Nov 30
    assert expiry_state(parse_expiry("12/26"), TODAY) == ""  # Dec 31: 40 days away
    assert expiry_state(parse_expiry("01/2027"), TODAY) == ""
    with pytest.raises(InvalidInput, match="01 to 12"):
        parse_expiry("13/27")


# On file -----------------------------------------------------------------------------------


def test_one_default_and_the_oldest_takes_over_when_it_goes(acme: SqlStore) -> None:
    first = write(acme, pm.add_card, "Visa", "1111", "08/29", "Ann Lee")
    assert first.message == "Added Visa •••• 1111. It is the default."
    write(acme, pm.add_bank_account, "Acme main", "3000")
    third = write(acme, pm.add_card, "Mastercard", "4444", "11/26", "Ann Lee")
    methods = third.methods.methods
    assert [(x.id, x.is_default, x.state) for x in methods] == [
        (1, True, ""),
        (2, False, ""),
        (3, False, "expiring"),
    ]
    assert write(acme, pm.set_default_payment_method, 3).methods.default.id == 3
    removed = write(acme, pm.remove_payment_method, 3)
    assert removed.methods.default is not None and removed.methods.default.id == 1
    assert "Visa •••• 1111 is now the default" in removed.message
    with pytest.raises(NotFound):
        write(acme, pm.remove_payment_method, 3)
    with pytest.raises(InvalidInput, match="expired at the end of 10/26"):
        write(acme, pm.add_card, "Visa", "1111", "10/26", "Ann Lee")
    with pytest.raises(InvalidInput, match="not accepted"):
        write(acme, pm.add_card, "Maestro", "1111", "10/29", "Ann Lee")
    with pytest.raises(PermissionDenied, match="edit Usage"):
        write(acme, pm.add_card, "Visa", "1111", "08/29", "Sam", user="sam")
    with acme() as uow:
        actions = [a.action for a in uow.audit.recent() if a.entity == "payment_method"]
    assert sorted(actions) == sorted(
        ["payment-method-added"] * 3 + ["payment-method-default", "payment-method-removed"]
    )


def test_auto_recharge_needs_a_valid_default_card_and_says_so(acme: SqlStore) -> None:
    write_account = credits.set_auto_recharge
    from billing_desktop.services.account import update_account

    with acme() as uow:
        actor = resolve_actor(uow, None)
    acme.write(update_account, actor, {"payment_method": "credit_card"}, TODAY, NOW)
    with pytest.raises(InvalidInput, match="default card on file, and there is none"):
        acme.write(write_account, actor, True, "10", "50", now=NOW)
    write(acme, pm.add_bank_account, "Acme main", "3000")  # a bank account is not a card
    with pytest.raises(InvalidInput, match="there is none"):
        acme.write(write_account, actor, True, "10", "50", now=NOW)
    write(acme, pm.add_card, "Visa", "1111", "12/26", "Ann Lee")
    change = write(acme, pm.set_default_payment_method, 2)
    assert change.methods.auto_recharge_problem is None
    acme.write(write_account, actor, True, "10", "50", now=NOW)
    # The card expires: auto-recharge no longer fires, and the Usage page says why.
    later = date(2027, 1, 5)
    with acme(write=True) as uow:
        assert credits.apply_auto_recharge(uow, actor, later, now=NOW) is None
        problem = credits.auto_recharge_refusal(uow.account.get(), uow, later)  # type: ignore[arg-type]
    assert problem is not None and "Visa •••• 1111 expired (12/26)" in problem
    # Removing the default card leaves none: said at once.
    removed = write(acme, pm.remove_payment_method, 2)
    assert "there is none" in removed.message


def _found_in(path: Path, secrets: tuple[str, ...]) -> list[str]:
    data = path.read_bytes()
    found = []
    for secret in secrets:
        for encoded in (secret.encode(), secret.encode("utf-16-le")):
            if encoded in data:
                found.append(f"{secret} in {path.name}")
    return found


def test_the_full_number_and_cvc_are_nowhere_after_a_card_is_added(
    acme: SqlStore,
    store_path: Path,
    capsys: Any,
    caplog: Any,
    monkeypatch: Any,
) -> None:
    """Add a card from the command line (number and CVC on standard input), back the store up,
    then search the store file, its WAL, the backups, the log and the audit rows."""
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{NUMBER}\n{CVC}\n"))
    code = cli.main(
        ["--store", str(store_path), "payment-methods", "add-card", "--expiry", "09/29",
         "--holder", "Ann Lee", "--json"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    added = json.loads(out)
    assert added["methods"][0]["brand"] == "Mastercard"
    assert added["methods"][0]["last_four"] == "5100"
    assert cli.main(["--store", str(store_path), "backup"]) == 0
    output = out + err + capsys.readouterr().out + caplog.text
    secrets = (NUMBER, "5105 1051 0510 5100", "510510510510", CVC)
    with acme() as uow:
        audit = json.dumps([(a.action, a.before, a.after) for a in uow.audit.recent(1000)])
        assert "5100" in audit  # the card's audit row is there, with its last four
    for secret in (NUMBER, "510510510510", f'"{CVC}"', f": {CVC}"):
        assert secret not in output
        assert secret not in audit
    files = [p for p in store_path.parent.rglob("*") if p.is_file()]
    assert store_path in files
    assert any("backups" in p.parts for p in files)  # the backup is searched too
    found = [hit for path in files for hit in _found_in(path, secrets[:3])]
    assert found == []
    # The CVC is three digits: it may occur by chance in a binary file, never as a stored value.
    with acme() as uow:
        stored = json.dumps(uow.settings.get(pm.SETTING_KEY))
    assert CVC not in stored and NUMBER not in stored


def test_the_command_never_takes_a_number_as_an_argument(
    acme: SqlStore, store_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    given = ["--expiry", "09/29", "--holder", "Ann Lee"]
    assert (
        cli.main(["--store", str(store_path), "payment-methods", "add-card", NUMBER, *given]) == 2
    )
    assert "takes no number as an argument" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("5105105105105101\n739\n"))
    code = cli.main(
        ["--store", str(store_path), "payment-methods", "add-card", "--expiry", "09/29",
         "--holder", "Ann Lee"]
    )  # fmt: skip
    assert code == 2
    assert "check digit does not match" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("DE89 3704 0044 0532 0130 00\n"))
    assert (
        cli.main(["--store", str(store_path), "payment-methods", "add-bank", "--name", "Main"]) == 0
    )
    assert capsys.readouterr().out.strip() == "Added Bank account •••• 3000. It is the default."
    assert cli.main(["--store", str(store_path), "payment-methods", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Bank account •••• 3000" in listed and "Main" in listed
    assert cli.main(["--store", str(store_path), "payment-methods", "remove"]) == 2
    assert "needs the method's ID" in capsys.readouterr().err
    with acme() as uow:
        assert len(pm.stored_methods(uow, TODAY)) == 1
