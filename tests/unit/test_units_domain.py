"""Billing-unit rules (PRODUCT §6): names, one unit per number, teams, cost allocation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing_desktop.domain import model as m
from billing_desktop.domain.errors import Conflict, InvalidInput, NotFound
from billing_desktop.domain.money import from_minor, to_minor
from billing_desktop.domain.units import (
    UNASSIGNED,
    Driver,
    Membership,
    NumberHeld,
    ProductCost,
    allocate,
    clean_unit_name,
    expand_teams,
    held_elsewhere,
    largest_remainder,
    licensed_agents,
    list_price_total,
    number_holders,
    require_numbers_free,
    split_equally,
    team_members,
)

D = Decimal
SALES = m.BillingUnit(1, "Sales", ("ada", "bo"), ("+15550100",))
SUPPORT = m.BillingUnit(2, "Support", ("bo",), ("+15550101",))
EMPTY = m.BillingUnit(3, "Archive")


def cost(code: str, amount: str, quantity: str, *drivers: Driver, recurring: bool = False):
    return ProductCost(code, D(amount), D(quantity), recurring, tuple(drivers))


def rows(allocation) -> dict[str, tuple[Decimal, Decimal]]:
    return {r.name: (r.usage, r.recurring) for r in allocation.rows}


# -- names -------------------------------------------------------------------------------------


def test_names_are_trimmed_and_unique_whatever_their_case() -> None:
    assert clean_unit_name("  Sales east ") == "Sales east"
    with pytest.raises(InvalidInput, match="already a billing unit named 'Sales'"):
        clean_unit_name(" sALES ", ["Support", "Sales"])
    assert clean_unit_name("Sales 2", ["Sales"]) == "Sales 2"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "needs a name"),
        ("   ", "needs a name"),
        ("x" * 101, "at most 100"),
        ("a\nb", "one line"),
    ],
)
def test_bad_names_are_refused(name: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        clean_unit_name(name)


def test_a_name_of_exactly_100_characters_is_fine() -> None:
    assert clean_unit_name("x" * 100 + "  ") == "x" * 100


# -- numbers -------------------------------------------------------------------------------------


def test_a_number_in_another_unit_is_refused_naming_that_unit() -> None:
    holders = number_holders([SALES, SUPPORT])
    with pytest.raises(NumberHeld) as refused:
        require_numbers_free(["+15550100", "+15550199"], SUPPORT.id, holders)
    assert str(refused.value) == "+15550100 is already in unit 'Sales'"
    assert refused.value.held == (("+15550100", "Sales"),)
    assert isinstance(refused.value, Conflict)


def test_a_number_already_in_the_same_unit_or_in_none_is_free() -> None:
    holders = number_holders([SALES, SUPPORT])
    require_numbers_free(["+15550100", "+15550199"], SALES.id, holders)
    held = held_elsewhere(["+15550100", "+15550101"], EMPTY.id, holders)
    assert [(n, u.name) for n, u in held] == [("+15550100", "Sales"), ("+15550101", "Support")]


def test_every_held_number_is_named() -> None:
    holders = number_holders([SALES, SUPPORT])
    with pytest.raises(NumberHeld, match="'Sales'; \\+15550101 is already in unit 'Support'"):
        require_numbers_free(["+15550100", "+15550101"], EMPTY.id, holders)


# -- teams ---------------------------------------------------------------------------------------

USERS = [
    m.User("ada", "Ada", "a@x", m.Role.ADMIN, ("Sales", "Billing")),
    m.User("bo", "Bo", "b@x", m.Role.AGENT, ("Sales",)),
    m.User("cy", "Cy", "c@x", m.Role.AGENT, ("Support",)),
    m.User("di", "Di", "d@x", m.Role.AGENT),
]


def test_a_team_expands_to_its_members() -> None:
    assert expand_teams(["Sales"], USERS) == ("ada", "bo")
    assert expand_teams(["sales ", "SUPPORT", "Billing"], USERS) == ("ada", "bo", "cy")
    assert team_members(USERS) == {
        "Billing": ("ada",),
        "Sales": ("ada", "bo"),
        "Support": ("cy",),
    }


def test_an_unknown_team_is_not_found() -> None:
    with pytest.raises(NotFound, match="no team named 'Marketing'"):
        expand_teams(["Marketing"], USERS)


def test_agents_licensed_on_any_day_of_the_month_count() -> None:
    seats = [
        m.AgentSeat("ada", date(2026, 1, 1)),
        m.AgentSeat("bo", date(2026, 10, 31)),  # one day in October
        m.AgentSeat("cy", date(2026, 9, 1), date(2026, 9, 30)),  # ended before October
        m.AgentSeat("di", date(2026, 11, 1)),  # starts after
        m.AgentSeat("ada", date(2026, 10, 5)),  # a second seat: still one agent
    ]
    assert licensed_agents(seats, date(2026, 10, 1), date(2026, 10, 31)) == ("ada", "bo")


# -- splitting money -----------------------------------------------------------------------------


def test_a_cent_split_three_ways_goes_to_the_first() -> None:
    assert split_equally(1, 3) == [1, 0, 0]
    assert split_equally(5, 3) == [3, 1, 1]  # remainder to the first unit by name
    assert split_equally(-5, 3) == [-3, -1, -1]
    assert largest_remainder(1, [D(1), D(1), D(1)]) == [1, 0, 0]
    assert largest_remainder(10, [D(1), D(2)]) == [3, 7]
    assert largest_remainder(100, [D("0.5"), D(0), D("0.5")]) == [50, 0, 50]


def test_number_driven_usage_goes_to_the_numbers_unit_whoever_called() -> None:
    membership = Membership.of([SALES, SUPPORT])
    calls = cost(
        "VOICE",
        "10.00",
        "100",
        Driver(D(60), number="+15550100", user_id="bo"),  # Sales's number; bo is in both units
        Driver(D(40), number="+15550101", user_id="ada"),  # Support's number, a Sales user
    )
    result = allocate("USD", [calls], membership)
    assert rows(result) == {"Sales": (D("6.00"), D(0)), "Support": (D("4.00"), D(0))}
    assert result.total == D("10.00")


def test_user_driven_usage_is_split_equally_among_the_users_units() -> None:
    membership = Membership.of([SALES, SUPPORT, EMPTY])
    # bo is in Sales and Support; the call's number is in no unit.
    calls = cost("VOICE", "0.05", "1", Driver(D(1), number="+15550199", user_id="bo"))
    result = allocate("USD", [calls], membership)
    assert rows(result) == {
        "Archive": (D("0.00"), D(0)),
        "Sales": (D("0.03"), D(0)),  # the remainder cent to the first unit by name
        "Support": (D("0.02"), D(0)),
    }


def test_a_cent_shared_by_three_units_lands_on_the_first_by_name() -> None:
    units = [
        m.BillingUnit(i, name, ("u",)) for i, name in ((7, "Gamma"), (8, "alpha"), (9, "Beta"))
    ]
    result = allocate(
        "USD", [cost("A", "0.01", "1", Driver(D(1), user_id="u"))], Membership.of(units)
    )
    assert [(r.name, r.usage) for r in result.rows] == [
        ("alpha", D("0.01")),
        ("Beta", D("0.00")),
        ("Gamma", D("0.00")),
    ]


def test_unassigned_collects_what_no_unit_drives() -> None:
    membership = Membership.of([SALES])
    products = [
        cost("VOICE", "3.00", "3", Driver(D(1), number="+15550100"), Driver(D(1), user_id="zed")),
        cost("SMS", "1.00", "100"),  # nothing drives SMS
        cost(
            "SEATS",
            "130.00",
            "2",
            Driver(D(1), user_id="ada"),
            Driver(D(1), user_id="cy"),
            recurring=True,
        ),
    ]
    result = allocate("USD", products, membership)
    assert rows(result) == {
        "Sales": (D("1.00"), D("65.00")),
        UNASSIGNED: (D("3.00"), D("65.00")),  # zed's call, the third minute, SMS; cy's seat
    }
    assert result.rows_total == result.total == D("134.00")


def test_no_unassigned_row_when_everything_is_assigned() -> None:
    result = allocate(
        "USD",
        [
            cost(
                "NUMBERS",
                "2.30",
                "2",
                Driver(D(1), number="+15550100"),
                Driver(D(1), number="+15550101"),
                recurring=True,
            )
        ],
        Membership.of([SALES, SUPPORT]),
    )
    assert [r.name for r in result.rows] == ["Sales", "Support"]
    assert rows(result)["Sales"] == (D(0), D("1.15"))


def test_every_unit_has_a_row_even_with_nothing_to_allocate() -> None:
    result = allocate("EUR", [], Membership.of([SUPPORT, SALES]))
    assert [(r.name, r.total) for r in result.rows] == [("Sales", D(0)), ("Support", D(0))]
    assert result.total == D("0.00")


def test_list_price_is_rounded_once_and_uses_the_tiers() -> None:
    product = m.Product(
        "VOICE",
        "Voice",
        m.Unit.MINUTE,
        D("0.02"),
        D(1000),
        True,
        m.Metering.SUM,
        m.Source.CALLS,
        m.CommitAvailability.ACTIVE,
        (m.Tier(D(100), D("0.015")),),
    )
    # Free units are not taken off: list price is before free units and credits.
    assert list_price_total(product, D(101), "USD") == D("2.02")  # 2.00 + 0.015 -> 2.015 -> 2.02
    assert list_price_total(product, D(0), "JPY") == D(0)


def test_a_user_in_no_unit_and_a_number_in_no_unit_are_unassigned() -> None:
    result = allocate(
        "USD",
        [cost("VOICE", "1.00", "1", Driver(D(1), number="+19999", user_id="nobody"))],
        Membership.of([SALES]),
    )
    assert rows(result)[UNASSIGNED] == (D("1.00"), D(0))


def test_drivers_beyond_the_quantity_share_the_amount_without_making_money() -> None:
    # Quantities from raw records may exceed the rated quantity (e.g. numbers added since a
    # month was closed): the amount is shared, never multiplied.
    result = allocate(
        "USD",
        [
            cost(
                "NUMBERS",
                "1.15",
                "1",
                Driver(D(1), number="+15550100"),
                Driver(D(1), number="+15550101"),
                recurring=True,
            )
        ],
        Membership.of([SALES, SUPPORT]),
    )
    assert result.rows_total == D("1.15")
    assert rows(result) == {"Sales": (D(0), D("0.58")), "Support": (D(0), D("0.57"))}


# -- the property: rows always add up exactly ----------------------------------------------------

CURRENCIES = st.sampled_from(["USD", "JPY", "KWD"])
UNIT_NAMES = st.lists(
    st.text(alphabet="abcAB ", min_size=1, max_size=4), min_size=0, max_size=5, unique=True
)
USER_IDS = [f"u{i}" for i in range(6)]
NUMBERS = [f"+1555010{i}" for i in range(6)]


@st.composite
def workspaces(draw: st.DrawFn) -> tuple[str, Membership, list[ProductCost]]:
    currency = draw(CURRENCIES)
    digits = {"USD": 2, "JPY": 0, "KWD": 3}[currency]
    names = draw(UNIT_NAMES)
    units = []
    free_numbers = list(NUMBERS)
    for i, name in enumerate(names):
        members = draw(st.lists(st.sampled_from(USER_IDS), unique=True, max_size=4))
        numbers = (
            draw(st.lists(st.sampled_from(free_numbers), unique=True, max_size=2))
            if free_numbers
            else []
        )
        free_numbers = [n for n in free_numbers if n not in numbers]
        units.append(m.BillingUnit(i + 1, name, tuple(members), tuple(numbers)))
    products = []
    for code in draw(st.lists(st.sampled_from("ABCDE"), unique=True, max_size=5)):
        minor = draw(st.one_of(st.just(1), st.integers(0, 10**9)))  # 0.01 is the classic
        drivers = draw(
            st.lists(
                st.builds(
                    Driver,
                    st.decimals(0, 1000, places=2),
                    st.none() | st.sampled_from([*NUMBERS, "+19990000"]),
                    st.none() | st.sampled_from([*USER_IDS, "ghost"]),
                ),
                max_size=8,
            )
        )
        quantity = draw(st.decimals(0, 2000, places=3))
        amount = from_minor(minor, currency)
        assert to_minor(amount, currency) == minor and digits >= 0
        products.append(ProductCost(code, amount, quantity, draw(st.booleans()), tuple(drivers)))
    return currency, Membership.of(units), products


@given(workspaces())
@settings(max_examples=400, deadline=None)
def test_the_rows_always_add_up_to_the_account_total(
    workspace: tuple[str, Membership, list[ProductCost]],
) -> None:
    currency, membership, products = workspace
    result = allocate(currency, products, membership)
    total = sum((p.amount for p in products), D(0))
    assert result.total == total
    assert result.rows_total == total
    assert sum((r.usage for r in result.rows), D(0)) == sum(
        (p.amount for p in products if not p.recurring), D(0)
    )
    for product in products:  # nothing gained or lost, product by product
        assert sum(result.by_product[product.code].values()) == to_minor(product.amount, currency)
    for row in result.rows:
        assert row.usage >= 0 and row.recurring >= 0
        to_minor(row.usage, currency)  # whole minor units
    assert [r.name for r in result.rows if r.unit_id is not None] == [
        u.name for u in membership.units
    ]
    assert sum(1 for r in result.rows if r.name == UNASSIGNED and r.unit_id is None) <= 1


@given(
    minor=st.integers(0, 10**6),
    units=st.lists(
        st.text(alphabet="xyzXYZ", min_size=1, max_size=3),
        min_size=1,
        max_size=6,
        unique_by=str.casefold,
    ),
)
@settings(max_examples=200, deadline=None)
def test_a_users_share_is_split_equally_remainder_to_the_first_by_name(
    minor: int, units: list[str]
) -> None:
    built = [m.BillingUnit(i + 1, name, ("u",)) for i, name in enumerate(units)]
    amount = from_minor(minor, "USD")
    result = allocate(
        "USD", [cost("A", str(amount), "1", Driver(D(1), user_id="u"))], Membership.of(built)
    )
    shares = [to_minor(r.usage, "USD") for r in result.rows]
    base = minor // len(units)
    assert shares[0] == base + minor % len(units)
    assert all(share == base for share in shares[1:])
    first = min(units, key=lambda n: (n.casefold(), n))
    assert result.rows[0].name == first


@given(
    total=st.integers(-(10**6), 10**6),
    weights=st.lists(st.decimals(0, 100, places=3), min_size=1, max_size=7),
)
@settings(max_examples=300, deadline=None)
def test_largest_remainder_is_exact_and_fair(total: int, weights: list[Decimal]) -> None:
    if sum(weights) == 0:
        with pytest.raises(ValueError):
            largest_remainder(total, weights)
        return
    shares = largest_remainder(total, weights)
    assert sum(shares) == total
    whole = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        assert abs(share - total * weight / whole) < 1
