"""Cell parsers of the CSV imports (PRODUCT §12): what each accepts, and what it says otherwise."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from billing_desktop.domain import model as m
from billing_desktop.services import csv_parsing as p
from billing_desktop.services import imports


@pytest.mark.parametrize(
    ("parse", "text", "expected"),
    [
        (p.whole_number, "0", 0),
        (p.whole_number, "007", 7),
        (p.whole_number, "2147483647", 2_147_483_647),
        (p.decimal, "0.0125", Decimal("0.0125")),
        (p.decimal, "12", Decimal("12")),
        (p.decimal, ".5", Decimal("0.5")),
        (p.day, "2026-10-01", date(2026, 10, 1)),
        (p.instant, "2026-10-01T09:30:00Z", datetime(2026, 10, 1, 9, 30, tzinfo=UTC)),
        (p.instant, "2026-10-01T11:30:00+02:00", datetime(2026, 10, 1, 9, 30, tzinfo=UTC)),
        (p.instant, "2026-10-01 04:30:00.5-05:00", datetime(2026, 10, 1, 9, 30, 0, 500_000, UTC)),
        (p.phone_number, "+15550100", "+15550100"),
        (p.phone_number, "+123456789012345", "+123456789012345"),
        (p.boolean, "TRUE", True),
        (p.boolean, "False", False),
        (p.email, "ann@example.com", "ann@example.com"),
        (p.currency, "eur", "EUR"),
        (p.timezone_name, "Europe/Berlin", "Europe/Berlin"),
        (p.timezone_name, "UTC", "UTC"),
        (p.name_list, "Sales; Ops;;Sales ; ", ("Sales", "Ops")),
        (
            p.privileges,
            "edit_billing_unit; edit_billing;edit_billing",
            (m.Privilege.EDIT_BILLING, m.Privilege.EDIT_BILLING_UNIT),
        ),
        (p.privileges, " ; ", ()),
        (p.choice(m.Unit), "GB", m.Unit.GB),
        (p.choice(m.Unit), "agent", m.Unit.AGENT),
        (p.money("USD"), "12.5", Decimal("12.50")),
        (p.money("JPY"), "1200", Decimal("1200")),
        (p.money("KWD"), "1.125", Decimal("1.125")),
        (p.money("USD", signed=True), "-3.10", Decimal("-3.10")),
        (p.identifier, "x" * 100, "x" * 100),
        (p.quantity, "2.125", Decimal("2.125")),
        (p.quantity, "0.000001", Decimal("0.000001")),
        (p.quantity, "12", Decimal("12")),
    ],
)
def test_good_values(parse: Callable[[str], object], text: str, expected: object) -> None:
    value = parse(text)
    assert value == expected
    assert type(value) is type(expected)  # Decimal stays Decimal, never float


def test_tiers_are_graduated_prices_in_increasing_order() -> None:
    assert p.tiers("10000:0.015; 50000 : 0.01;") == (
        m.Tier(Decimal("10000"), Decimal("0.015")),
        m.Tier(Decimal("50000"), Decimal("0.01")),
    )
    assert p.tiers(" ; ") == ()
    [tier] = p.tiers("0.5:0")
    assert tier == m.Tier(Decimal("0.5"), Decimal("0")) and type(tier.above) is Decimal


def test_instants_come_back_in_utc() -> None:
    value = p.instant("2026-10-01T11:30:00+02:00")
    assert value.tzinfo is UTC and value.hour == 9


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (p.whole_number, "abc", "'abc' is not a whole number"),
        (p.whole_number, "1.5", "'1.5' is not a whole number"),
        (p.whole_number, "-5", "'-5' must be 0 or more"),
        (p.whole_number, "٣", "'٣' is not a whole number"),  # non-ASCII digits
        (p.whole_number, "2147483648", "'2147483648' is too large (at most 2147483647)"),
        (p.decimal, "-0.5", "'-0.5' must be 0 or more"),
        (p.decimal, "1e3", "'1e3' is not a number (write it like 12.5)"),
        (p.decimal, "NaN", "'NaN' is not a number (write it like 12.5)"),
        (p.decimal, "1,5", "'1,5' is not a number (write it like 12.5)"),
        (p.decimal, "1" * 31, f"'{'1' * 31}' has too many digits (at most 30)"),
        (p.money("USD"), "1.234", "1.234 has more decimals than USD allows (2)"),
        (p.money("JPY"), "1.5", "1.5 has more decimals than JPY allows (0)"),
        (p.money("USD"), "-1", "'-1' must be 0 or more"),
        (p.money("USD"), "$5", "'$5' is not an amount (write it like 12.50)"),
        (p.money("USD", positive=True), "0.00", "'0.00' must be more than 0"),
        (p.day, "2026-02-30", "'2026-02-30' is not a date (YYYY-MM-DD, e.g. 2026-10-01)"),
        (p.day, "20261001", "'20261001' is not a date (YYYY-MM-DD, e.g. 2026-10-01)"),
        (p.day, "2026-W40-1", "'2026-W40-1' is not a date (YYYY-MM-DD, e.g. 2026-10-01)"),
        (
            p.instant,
            "2026-10-01T09:30:00",
            "'2026-10-01T09:30:00' needs a UTC offset or Z (e.g. 2026-10-01T09:30:00Z)",
        ),
        (
            p.instant,
            "2026-10-01",
            "'2026-10-01' needs a UTC offset or Z (e.g. 2026-10-01T09:30:00Z)",
        ),
        (
            p.instant,
            "yesterday",
            "'yesterday' is not a time (ISO 8601 with offset, e.g. 2026-10-01T09:30:00Z)",
        ),
        (p.phone_number, "555-0100", "'555-0100' is not an E.164 phone number (e.g. +15550100)"),
        (p.phone_number, "+05550100", "'+05550100' is not an E.164 phone number (e.g. +15550100)"),
        (
            p.phone_number,
            "+1234567890123456",
            "'+1234567890123456' is not an E.164 phone number (e.g. +15550100)",
        ),
        (p.boolean, "yes", "'yes' is not true or false"),
        (p.email, "ann.example.com", "'ann.example.com' is not an email address"),
        (p.email, "@example.com", "'@example.com' is not an email address"),
        (p.email, "ann@", "'ann@' is not an email address"),
        (p.email, "ann@b@example.com", "'ann@b@example.com' is not an email address"),
        (p.currency, "EURO", "'EURO' is not an ISO 4217 currency code"),
        (p.timezone_name, "Mars/Base", "'Mars/Base' is not a time zone (e.g. Europe/Berlin)"),
        (
            p.timezone_name,
            "europe/berlin",
            "'europe/berlin' is not a time zone (e.g. Europe/Berlin)",
        ),
        (
            p.privileges,
            "edit_billing;admin",
            "'admin' is not an access group (expected: edit_billing, view_billing_unit, "
            "edit_billing_unit)",
        ),
        (p.choice(m.Channel), "Chat", "'Chat' is not one of: chat, voice"),
        (p.identifier, "x" * 101, "is 101 characters long (at most 100)"),
        (p.quantity, "0.0000001", "'0.0000001' has more than 6 decimals"),
        (p.quantity, "-1", "'-1' must be 0 or more"),
        (p.tiers, "10000", "tier '10000' is not ABOVE:PRICE (e.g. 10000:0.015)"),
        (p.tiers, "10000:", "tier '10000:' is not ABOVE:PRICE (e.g. 10000:0.015)"),
        (p.tiers, ":0.01", "tier ':0.01' is not ABOVE:PRICE (e.g. 10000:0.015)"),
        (
            p.tiers,
            "10000:0.015;5e4:0.01",
            "tier '5e4:0.01': '5e4' is not a number (write it like 12.5)",
        ),
        (p.tiers, "100:-0.01", "tier '100:-0.01': '-0.01' must be 0 or more"),
        (p.tiers, "0:0.02", "tier '0:0.02': the threshold must be more than 0"),
        (
            p.tiers,
            "50000:0.01;10000:0.015",
            "tier '10000:0.015': thresholds must increase (after 50000)",
        ),
        (p.tiers, "100:1;100:0.5", "tier '100:0.5': thresholds must increase (after 100)"),
        (
            p.tiers,
            ";".join(f"{n}000000:123456.891234" for n in range(1, 25)),
            "the tiers are 542 characters long (at most 500)",
        ),
    ],
)
def test_bad_values_say_what_is_wrong(
    parse: Callable[[str], object], text: str, message: str
) -> None:
    with pytest.raises(p.BadValue) as raised:
        parse(text)
    assert str(raised.value) == message


def test_kinds_are_listed_in_the_documented_order() -> None:
    assert imports.KINDS[0] == "account" and imports.KINDS[-2:] == ("payments", "packs")
    assert len(imports.KINDS) == len(set(imports.KINDS)) == 17


@pytest.mark.parametrize("kind", imports.KINDS)
def test_columns_are_the_fields_of_the_record_in_order(kind: str) -> None:
    # The import builds records positionally from the columns, so the two must agree.
    spec = imports._KINDS[kind]
    assert isinstance(spec.cls, type)
    fields = [f.name for f in dataclasses.fields(spec.cls)]
    assert [name for name, _required in imports.columns_of(kind)] == fields


def test_report_wording_and_json_shape() -> None:
    report = imports.ImportReport("calls", "calls.csv", 120, 117, 3)
    assert report.summary() == "calls.csv: 120 rows, 117 added, 3 skipped (already stored)"
    assert imports.ImportReport("users", "u.csv", 1, 1, 0).summary().startswith("u.csv: 1 row,")
    assert report.as_dict() == {
        "kind": "calls",
        "file": "calls.csv",
        "rows": 120,
        "added": 117,
        "skipped": 3,
    }


# --- issue 15 §6: what no value may hold, ids that look alike, bounds ---------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("c1", "c1"),
        ("ｃ１", "c1"),  # NFKC: full-width forms are the plain characters
        ("cafe\u0301", "caf\u00e9"),  # one form for composed and decomposed accents
        ("a\u00a0b", "a b"),  # a no-break space is a space
        ("Москва-1", "Москва-1"),  # Cyrillic with letters that do not look Latin
        ("Αθήνα", "Αθήνα"),
        ("顧客-1", "顧客-1"),
        ("ひらがなカタカナ漢字", "ひらがなカタカナ漢字"),  # Japanese mixes three scripts
        ("한국어漢字", "한국어漢字"),
        ("Chat UI", "Chat UI"),
        ("l0-O1", "l0-O1"),  # ASCII look-alikes stay distinct
    ],
)
def test_ids_that_are_accepted(text: str, expected: str) -> None:
    assert p.identifier(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("c1\u200b", "'c1\\u200b' holds the invisible character U+200B (ZERO WIDTH SPACE)"),
        ("c\u200d1", "'c\\u200d1' holds the invisible character U+200D (ZERO WIDTH JOINER)"),
        (
            "\ufeffc1",
            "'\\ufeffc1' holds the invisible character U+FEFF (ZERO WIDTH NO-BREAK SPACE)",
        ),
        ("c1\u200f", "'c1\\u200f' holds the invisible character U+200F (RIGHT-TO-LEFT MARK)"),
        ("c\u202e1", "'c\\u202e1' holds the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("c\ue0001", "'c\\ue0001' holds the invisible character U+E000 (a private-use character)"),
        ("c\u16801", "'c\\u16801' holds the invisible character U+1680 (OGHAM SPACE MARK)"),
        ("c\U000e00011", "'c\\U000e00011' holds the invisible character U+E0001 (LANGUAGE TAG)"),
        ("c\u0378", "'c\\u0378' holds the invisible character U+0378 (an unassigned code point)"),
        (
            "с1",
            "'с1' is written in Cyrillic letters that all look like Latin ones ('с' looks like "
            "'c'); write it in Latin letters",
        ),
        (
            "paypаl",
            "'paypаl' mixes scripts: Cyrillic ('а') and Latin ('p'); write it in one script",
        ),
        ("c١", "'c١' mixes scripts: Arabic ('١') and Latin ('c'); write it in one script"),
        ("call–1", "'call–1' holds U+2013 (EN DASH), which looks like '-'; write '-'"),
        (
            "cıty",
            "'cıty' holds U+0131 (LATIN SMALL LETTER DOTLESS I), which looks like 'i'; write 'i'",
        ),
        ("ｃ" * 101, "is 101 characters long (at most 100)"),  # counted after NFKC
    ],
)
def test_ids_that_are_refused(text: str, message: str) -> None:
    with pytest.raises(p.BadValue) as raised:
        p.identifier(text)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Spring", None),
        ("Acme\u00a0GmbH", None),  # not printable, but fine in a name
        ("می\u200cخواهم", None),  # Persian's zero-width non-joiner
        ("a\0b", "holds the control character U+0000 (NUL); values are one line of text"),
        ("a\tb", "holds the control character U+0009 (TAB); values are one line of text"),
        (
            "a\x85b",
            "holds the control character U+0085 (a control character); values are one line of text",
        ),
        ("a\u2028b", "holds a line break U+2028 (LINE SEPARATOR); values are one line of text"),
        (
            "a\u2067b",
            "holds the bidi control U+2067 (RIGHT-TO-LEFT ISOLATE), which changes the "
            "order text is shown in",
        ),
        (
            "a\ufeff",
            "holds a byte order mark (U+FEFF), which may only start the file (were two "
            "files joined?)",
        ),
    ],
)
def test_characters_no_value_may_hold(text: str, problem: str | None) -> None:
    assert p.hidden_character(text) == problem


def test_names_are_nfc_and_messages_show_invisible_characters() -> None:
    assert p.name("Cafe\u0301") == "Caf\u00e9"
    assert p.name_list("Cafe\u0301;Caf\u00e9") == ("Caf\u00e9",)
    assert p.quote("a\0b\u200bc\x1b") == "'a\\x00b\\u200bc\\x1b'"
    assert p.visible("ok") == "ok"


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (
            p.day,
            "1999-12-31",
            "'1999-12-31' is out of range (dates from 2000-01-01 to 2099-12-31 are accepted)",
        ),
        (
            p.day,
            "2100-01-01",
            "'2100-01-01' is out of range (dates from 2000-01-01 to 2099-12-31 are accepted)",
        ),
        (
            p.instant,
            "0001-01-01T00:00:00+01:00",
            "'0001-01-01T00:00:00+01:00' is out of range "
            "(dates from 2000-01-01 to 2099-12-31 are "
            "accepted)",
        ),
        (
            p.timezone_name,
            "localtime",
            "'localtime' depends on the machine, not an IANA time "
            "zone: name the zone (e.g. Europe/Berlin)",
        ),
        (
            p.timezone_name,
            "posix/Europe/Berlin",
            "'posix/Europe/Berlin' depends on the machine, "
            "not an IANA time zone: name the zone (e.g. "
            "Europe/Berlin)",
        ),
        (p.seconds_of_a_call, "604801", "'604801' is too large (at most 604800 seconds, 7 days)"),
        (p.quantity, "10080.000001", "'10080.000001' is too large (at most 10,080)"),
        (
            p.decimal_upto(p.MAX_UNIT_PRICE),
            "1000000.01",
            "'1000000.01' is too large (at most 1,000,000)",
        ),
    ],
)
def test_bounds_of_dates_zones_and_quantities(
    parse: Callable[[str], object], text: str, message: str
) -> None:
    with pytest.raises(p.BadValue) as raised:
        parse(text)
    assert str(raised.value) == message


def test_values_on_the_bounds_are_accepted() -> None:
    assert p.day("2000-01-01") == date(2000, 1, 1)
    assert p.instant("2099-12-31T23:59:59-05:00") == datetime(2100, 1, 1, 4, 59, 59, tzinfo=UTC)
    assert p.seconds_of_a_call("604800") == 604_800
    assert p.quantity("10080") == Decimal(10_080)
    assert p.timezone_name("Etc/GMT-2") == "Etc/GMT-2"
