"""Fixtures for the API server tests: the small demo workspace, a user of every role, a live
server on 127.0.0.1 and an HTTP client that signs in as a role.

The demo store is built once per session into a template file; each test gets a copy (a file
copy takes milliseconds, building takes seconds).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.model import (
    Invoice,
    InvoiceStatus,
    LedgerEntry,
    LedgerKind,
    Privilege,
    Role,
    User,
)
from billing_desktop.domain.plans import ExtensionRequest
from billing_desktop.server.app import create_app
from billing_desktop.server.gate import Limits
from billing_desktop.services.demo import build_demo
from billing_desktop.services.payment_methods import put_on_file
from tests.live_server import live_server, token_for

TODAY = date(2026, 11, 21)
API = "/api/v1"

# The holders of each row of PRODUCT §9 (role, access groups). The demo gives every row a
# holder but one: the pure "access group with Edit Billing" (an agent in that group), which the
# template adds. The last two rows check that rights are the union of role and groups, and that
# a shared-account user never gets Plans, whatever the groups say.
ROLES: dict[str, tuple[Role, tuple[Privilege, ...]]] = {
    "admin": (Role.ADMIN, ()),
    "edit_billing": (Role.AGENT, (Privilege.EDIT_BILLING,)),
    "view_billing_unit": (Role.AGENT, (Privilege.VIEW_BILLING_UNIT,)),
    "edit_billing_unit": (Role.AGENT, (Privilege.EDIT_BILLING_UNIT,)),
    "supervisor": (Role.SUPERVISOR, ()),
    "shared": (Role.SHARED, ()),
    "agent": (Role.AGENT, ()),
    "supervisor_edit_billing": (Role.SUPERVISOR, (Privilege.EDIT_BILLING,)),
    "shared_edit_billing": (Role.SHARED, (Privilege.EDIT_BILLING,)),
}


@dataclass(frozen=True)
class Template:
    path: Path
    users: Mapping[str, str]  # role name -> user id


def _holder(users: list[User], role: Role, groups: tuple[Privilege, ...]) -> str | None:
    for user in sorted(users, key=lambda u: u.id):
        if user.role == role and set(user.access_groups) == set(groups):
            return user.id
    return None


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The small demo workspace (seed 7, 21 November 2026) with a user for every role."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    store = SqlStore(f"sqlite:///{path}")
    try:
        build_demo(store, seed=7, today=TODAY)
        with store() as uow:
            users = uow.users.all()
            chosen: dict[str, str] = {}
            added: list[User] = []
            for name, (role, groups) in ROLES.items():
                found = _holder(users, role, groups)
                if found is None:
                    found = f"test-{name.replace('_', '-')}"
                    added.append(
                        User(found, f"Test {name}", f"{found}@example.com", role, (), groups)
                    )
                chosen[name] = found
            if added:
                uow.users.add_many(added)
            # Issue 19: two pending extension requests to decide on, and a bank account on
            # file beside the demo's card (one to remove while the card stays the default).
            asked = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
            for app_id, end in (("app-legacy-faq", date(2027, 1, 31)),
                                ("app-sales-assistant", date(2027, 2, 28))):  # fmt: skip
                uow.extension_requests.add(
                    ExtensionRequest(app_id, "pilot runs longer", end, "u001", asked)
                )
            put_on_file(
                uow, {"kind": "bank", "brand": "Bank account", "last_four": "3000",
                      "holder": "Northwind main"}, TODAY,
            )  # fmt: skip
            # A prepaid invoice to mark paid (the demo account pays by card, so it is filed
            # directly, as issuing one for an invoice-paying account would).
            uow.invoices.add_many(
                [Invoice("PRE-000001", TODAY, TODAY.replace(day=1), Decimal("500.00"),
                         InvoiceStatus.ISSUED, TODAY)]
            )  # fmt: skip
            uow.ledger.add_many(
                [LedgerEntry(TODAY, LedgerKind.INVOICE, Decimal("-500.00"), reference="PRE-000001")]
            )
            uow.commit()
    finally:
        store.dispose()  # checkpoints the WAL: the file alone is the whole store
    return Template(path, chosen)


def copy_store(template: Template, folder: Path, name: str = "store.db") -> SqlStore:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    shutil.copyfile(template.path, target)
    return SqlStore(f"sqlite:///{target}")


@pytest.fixture
def demo_store(demo_template: Template, tmp_path: Path) -> Iterator[SqlStore]:
    """A copy of the demo workspace for this test."""
    store = copy_store(demo_template, tmp_path / "store")
    yield store
    store.dispose()


@pytest.fixture
def users(demo_template: Template) -> Mapping[str, str]:
    """Role name -> the id of a user holding it."""
    return demo_template.users


class Api:
    """An HTTP client of one live server that signs in as a role of the demo workspace."""

    def __init__(self, url: str, store: SqlStore, users: Mapping[str, str]) -> None:
        self.url = url
        self.store = store
        self.users = users
        self.client = httpx.Client(base_url=url, timeout=60)
        self._tokens: dict[str, str] = {}

    def token(self, role: str) -> str:
        if role not in self._tokens:
            self._tokens[role] = token_for(self.store, self.users[role])
        return self._tokens[role]

    def headers(self, role: str | None, **extra: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token(role)}"} if role else {}
        headers.update(extra)
        return headers

    def call(
        self,
        operation: str,
        arguments: Mapping[str, Any] | None = None,
        role: str | None = "admin",
        *,
        key: str | None = None,
        if_match: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """POST one operation ("units.add_unit"); writes get a fresh key and If-Match: *
        unless ``key``/``if_match`` say otherwise (pass "" to leave a header out)."""
        from billing_desktop.api.operations import OPERATIONS

        module, function = operation.split(".", 1)
        sent = self.headers(role)
        if operation in OPERATIONS and OPERATIONS[operation].writes:
            key = str(uuid.uuid4()) if key is None else key
            if_match = "*" if if_match is None else if_match
        if key:
            sent["Idempotency-Key"] = key
        if if_match:
            sent["If-Match"] = if_match
        sent.update(headers or {})
        return self.client.post(f"{API}/{module}/{function}", json=arguments or {}, headers=sent)

    def close(self) -> None:
        self.client.close()


class Switch:
    """An ASGI app that passes each request to the app of the current test.

    One uvicorn server serves the whole session; each test gets a fresh ``create_app`` over
    its own store behind it (starting and stopping a server per test would cost more than the
    test)."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":  # the apps have no start-up or shut-down work
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        assert self.app is not None, "no test app behind the server"
        await self.app(scope, receive, send)


@pytest.fixture(scope="session")
def switch_server() -> Iterator[tuple[Switch, str]]:
    switch = Switch()
    with live_server(None, app=switch) as url:
        yield switch, url


@contextmanager
def _serving(
    store: SqlStore, users: Mapping[str, str], switch: Switch, url: str, limits: Limits | None
) -> Iterator[Api]:
    switch.app = create_app(store, limits)
    client = Api(url, store, users)
    try:
        yield client
    finally:
        client.close()
        switch.app = None


@pytest.fixture
def api(
    demo_store: SqlStore, users: Mapping[str, str], switch_server: tuple[Switch, str]
) -> Iterator[Api]:
    """A live server on a copy of the demo workspace, and a client of it."""
    with _serving(demo_store, users, *switch_server, None) as client:
        yield client


# For tests that send many bad tokens on purpose (the limit itself is tested on its own).
UNLIMITED_SIGN_INS = Limits(failed_sign_ins=1_000_000)


@pytest.fixture
def lenient_api(
    demo_store: SqlStore, users: Mapping[str, str], switch_server: tuple[Switch, str]
) -> Iterator[Api]:
    """As ``api``, with failed sign-ins not limited."""
    with _serving(demo_store, users, *switch_server, UNLIMITED_SIGN_INS) as client:
        yield client


class Servers:
    """Live servers started on demand, each on its own copy of the demo (one per name)."""

    def __init__(self, template: Template, folder: Path) -> None:
        self.template = template
        self.folder = folder
        self._stack = ExitStack()
        self._apis: dict[str, Api] = {}

    def get(self, name: str) -> Api:
        if name not in self._apis:
            store = copy_store(self.template, self.folder / name)
            self._stack.callback(store.dispose)
            url = self._stack.enter_context(live_server(store))
            api = Api(url, store, self.template.users)
            self._stack.callback(api.close)
            self._apis[name] = api
        return self._apis[name]

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="module")
def servers(demo_template: Template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Module-wide live servers, one per name asked for (e.g. one per role)."""
    opened = Servers(demo_template, tmp_path_factory.mktemp("servers"))
    yield opened
    opened.close()
