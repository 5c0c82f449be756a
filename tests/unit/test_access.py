from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_desktop.domain.access import Area, Level, rights_for
from billing_desktop.domain.errors import PermissionDenied
from billing_desktop.domain.model import Privilege, Role

N, V, E = Level.NONE, Level.VIEW, Level.EDIT

# PRODUCT §9, row by row: Usage, Billing Units, Plans, Invoices, Usage Data.
TABLE = {
    (Role.ADMIN, ()): (E, E, E, V, V),
    (Role.AGENT, (Privilege.EDIT_BILLING,)): (E, N, E, V, V),
    (Role.AGENT, (Privilege.VIEW_BILLING_UNIT,)): (N, V, N, N, N),
    (Role.AGENT, (Privilege.EDIT_BILLING_UNIT,)): (N, E, N, N, N),
    (Role.SUPERVISOR, ()): (V, E, N, N, V),
    (Role.SHARED, ()): (V, N, N, V, V),
    (Role.AGENT, ()): (N, N, N, N, N),
}


@pytest.mark.parametrize(("who", "levels"), TABLE.items(), ids=lambda v: str(v))
def test_rights_match_the_permission_table(
    who: tuple[Role, tuple[Privilege, ...]], levels: tuple[Level, ...]
) -> None:
    rights = rights_for(*who)
    assert tuple(rights.level(area) for area in Area) == levels


def test_tab_titles_in_order() -> None:
    assert [a.label for a in Area] == ["Usage", "Billing Units", "Plans", "Invoices", "Usage Data"]


def test_rights_are_the_union_of_role_and_groups() -> None:
    rights = rights_for(Role.SUPERVISOR, (Privilege.EDIT_BILLING,))
    assert rights.can_edit(Area.USAGE)
    assert rights.can_edit(Area.PLANS)
    assert rights.can_edit(Area.BILLING_UNITS)
    assert rights.can_view(Area.INVOICES)


def test_shared_account_users_never_see_plans() -> None:
    rights = rights_for(Role.SHARED, (Privilege.EDIT_BILLING,))
    assert not rights.can_view(Area.PLANS)
    assert Area.PLANS not in rights.visible_areas
    assert rights.can_edit(Area.USAGE)


def test_no_rights_at_all() -> None:
    rights = rights_for(Role.AGENT)
    assert not rights.any
    with pytest.raises(PermissionDenied, match="view Usage"):
        rights.require(Area.USAGE, Level.VIEW, "see usage")


@given(
    st.sampled_from(list(Role)),
    st.lists(st.sampled_from(list(Privilege)), max_size=3),
    st.lists(st.sampled_from(list(Privilege)), max_size=3),
)
def test_more_groups_never_take_rights_away(
    role: Role, groups: list[Privilege], more: list[Privilege]
) -> None:
    fewer = rights_for(role, tuple(groups))
    bigger = rights_for(role, tuple(groups + more))
    for area in Area:
        assert bigger.level(area) >= fewer.level(area)
