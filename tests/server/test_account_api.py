"""My account and payment methods through the API (issue 19): versioned writes (If-Match on the
workspace), and what a card write carries."""

from __future__ import annotations

from billing_desktop.api.codec import codec_for
from billing_desktop.api.operations import OPERATIONS
from tests.server.conftest import Api


def test_account_writes_are_versioned_and_a_stale_one_changes_nothing(api: Api) -> None:
    read = api.call("account.account_details", {})
    assert read.status_code == 200, read.text
    tag = read.headers["ETag"]
    assert tag.startswith('"workspace.')
    first = api.call("account.update_account", {"values": {"vat_id": "DE136695976"}}, if_match=tag)
    assert first.status_code == 200, first.text
    assert first.json()["changed"] == ["vat_id"]
    assert first.headers["ETag"] != tag
    stale = api.call("account.update_account", {"values": {"name": "Old view"}}, if_match=tag)
    assert stale.status_code == 412, stale.text
    now = api.call("account.account_details", {}).json()
    assert now["name"] != "Old view" and now["vat_id"] == "DE136695976"
    # A card added elsewhere moves the same version: the account read before it is stale too.
    tag = api.call("account.account_details", {}).headers["ETag"]
    card = {"brand": "Visa", "last_four": "1881", "expiry": "12/29", "holder": "Ann Lee"}
    assert api.call("payment_methods.add_card", card, if_match=tag).status_code == 200
    again = api.call("account.update_account", {"values": {"name": "X"}}, if_match=tag)
    assert again.status_code == 412


def test_a_card_write_carries_no_number_and_no_cvc() -> None:
    """The number and CVC are checked on the client and never sent: the operation's arguments
    are the brand, the last four digits, the expiry and the holder."""
    codec = codec_for(OPERATIONS["payment_methods.add_card"])
    fields = set(codec.arguments.model_fields)
    assert {"brand", "last_four", "expiry", "holder"} <= fields
    assert not fields & {"number", "card_number", "cvc", "iban"}
    bank = set(codec_for(OPERATIONS["payment_methods.add_bank_account"]).arguments.model_fields)
    assert "iban" not in bank and "last_four" in bank
