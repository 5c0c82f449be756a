from __future__ import annotations

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Area
from billing_desktop.domain.errors import NotFound
from billing_desktop.services.context import OWNER_NAME, is_empty, resolve_actor


def _users(store: SqlStore, users: list[m.User]) -> None:
    with store() as uow:
        uow.users.add_many(users)
        uow.commit()


def test_an_empty_store_belongs_to_whoever_sets_it_up(store: SqlStore) -> None:
    with store() as uow:
        assert is_empty(uow)
        actor = resolve_actor(uow, None)
    assert actor.user_id is None and actor.name == OWNER_NAME
    assert all(actor.rights.can_edit(area) for area in (Area.USAGE, Area.PLANS))


def test_the_default_actor_is_the_first_admin(store: SqlStore) -> None:
    _users(
        store,
        [
            m.User("a1", "Agent", "a@example.com", m.Role.AGENT),
            m.User("z9", "Zed", "z@example.com", m.Role.ADMIN),
            m.User("b2", "Bea", "b@example.com", m.Role.ADMIN),
        ],
    )
    with store() as uow:
        assert not is_empty(uow)
        assert resolve_actor(uow, None).user_id == "b2"
        shared = resolve_actor(uow, "a1")
    assert shared.user_id == "a1" and not shared.rights.any


def test_named_user_gets_their_own_rights(store: SqlStore) -> None:
    _users(
        store,
        [
            m.User("s1", "Sam", "s@example.com", m.Role.SHARED, (), (m.Privilege.EDIT_BILLING,)),
        ],
    )
    with store() as uow:
        actor = resolve_actor(uow, "s1")
        with pytest.raises(NotFound, match="--user ghost"):
            resolve_actor(uow, "ghost")
    assert actor.rights.can_edit(Area.USAGE)
    assert not actor.rights.can_view(Area.PLANS)
