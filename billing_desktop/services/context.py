"""Who is acting: resolving ``--user`` into an Actor with rights (PRODUCT §9, §11)."""

from __future__ import annotations

from billing_desktop.domain.access import FULL_RIGHTS, Actor, rights_for
from billing_desktop.domain.errors import NO_ACCOUNT, NotFound, StoreError
from billing_desktop.domain.model import Account, Role
from billing_desktop.store.ports import UnitOfWork

OWNER_NAME = "local owner"


def resolve_actor(uow: UnitOfWork, user_id: str | None, origin: str = "desktop/local") -> Actor:
    """The acting user of a local store.

    ``user_id`` given: that user, with their own rights. Not given: the first admin (by id).
    A store with no users at all is being set up by its owner, who may do everything
    (that is how the first import or the demo workspace gets in).
    """
    if user_id is not None:
        found = uow.users.get_many([user_id])
        if user_id not in found:
            raise NotFound(f"--user {user_id}: no such user in this workspace")
        user = found[user_id]
        return Actor(user.id, user.name, rights_for(user.role, user.access_groups), origin)
    users = uow.users.all()
    if not users:
        return Actor(None, OWNER_NAME, FULL_RIGHTS, origin)
    admins = [u for u in users if u.role == Role.ADMIN]
    if not admins:
        # No admin: the store is still usable by naming a user explicitly.
        first = users[0]
        return Actor(first.id, first.name, rights_for(first.role, first.access_groups), origin)
    admin = admins[0]
    return Actor(admin.id, admin.name, rights_for(admin.role, admin.access_groups), origin)


def is_empty(uow: UnitOfWork) -> bool:
    """True when the store holds no workspace yet (no account and no users)."""
    return uow.account.get() is None and uow.users.count() == 0


def require_account(uow: UnitOfWork) -> Account:
    """The workspace's account; StoreError (one line) when none was imported yet."""
    account = uow.account.get()
    if account is None:
        raise StoreError(NO_ACCOUNT)
    return account
