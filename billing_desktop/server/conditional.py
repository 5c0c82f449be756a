"""The server's side of conditional reads (``api.conditional``): 304 without running the use
case, and the answers of this process kept by their tag.

For a read in ``CONDITIONAL_READS`` the unit of work first takes the store's change token
(``SqlUnitOfWork.change_token``: PostgreSQL's snapshot, SQLite's data version and this
process's commits), before anything else is read: what is read after it is at least as new as
the token, so an answer is never kept under a token older than what it shows. Then, all kept
per process by that token (so any commit anywhere makes them be read again):

* the signed-in user's actor (their name and rights: two queries on every other request);
* the version of the read's resource (the ETag's first part, for If-Match);
* the encoded answer, by its tag: a second client asking the same thing as the same user
  before anything changes gets it without the use case running again.

Then ``If-None-Match`` naming the tag gets 304 with no body. A store without a change token
(a database other than SQLite or PostgreSQL) answers every read in full, as before.

On PostgreSQL the store counts its changes per table (revision 0019, ``store/sql/change_counts``)
and the first statement reads those counts and every resource's version instead. The actor
and each kind of read are kept by the counts of the tables they were seen to read (the
statements run while the actor is resolved, or the use case runs, are watched: see
``_TablesRead``). A write to the billing units then leaves the call log's, the quotas' and the
invoices' tags as they were, where the store-wide snapshot moved with it and every read was
answered in full again (B10: 10 % writes at ~170 requests/s are ~17 commits a second).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

from billing_desktop.api.conditional import matches, read_tag
from billing_desktop.api.operations import Operation
from billing_desktop.domain.access import Actor
from billing_desktop.store.sql.change_counts import ChangeCounts
from billing_desktop.store.sql.uow import SqlUnitOfWork

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Answers kept per process, and the largest kept (a call-log page of a hundred rows is tens
# of KB; an export's 5,000-row pages are not kept, only answered 304): 32 MB at the most.
KEPT_ANSWERS = 256
LARGEST_KEPT = 128 * 1024
KEPT_ACTORS = 256
KEPT_VERSIONS = 64
QUARTER_HOUR = 900  # seconds: today in every time zone is the same all through one (UTC)
# A change token that only means something in this process (SQLite's counts per connection)
# is told apart from another process's equal-looking one by this.
_PROCESS = secrets.token_hex(8)


class _Kept(Generic[K, V]):
    """A small thread-safe LRU map."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class ConditionalReads:
    """One per app (per server process)."""

    def __init__(self) -> None:
        self._actors: _Kept[tuple[str, str], Actor] = _Kept(KEPT_ACTORS)
        self._versions: _Kept[tuple[str, str], int] = _Kept(KEPT_VERSIONS)
        self._answers: _Kept[str, bytes] = _Kept(KEPT_ANSWERS)
        self._tables = _TablesRead()

    def answer(
        self,
        uow: SqlUnitOfWork,
        operation: Operation,
        user_id: str,
        arguments: BaseModel,
        if_none_match: str | None,
        resolve: Callable[[SqlUnitOfWork, str], Actor],
        check: Callable[[Actor, Operation], None],
        run: Callable[[SqlUnitOfWork, Actor], Any],
    ) -> Response | None:
        """The answer to a conditional read, or None when the store has no change token (then
        the caller answers in full). ``resolve``: the user's actor from the store; ``check``:
        refuses an actor the operation is not for; ``run``: the use case's encoded result."""
        # First: everything read after is at least as new as the counts or the token.
        counts = uow.change_counts()
        state: _State
        if counts is not None:
            state = _PerTable(counts, self._tables)
        else:
            token = uow.change_token()
            if token is None:
                return None
            state = _StoreWide(_token_text(uow, token), self._versions)
        actor = self._actors.get((user_id, state.of(_ACTOR)))
        if actor is None:
            with state.watching(uow) as read:
                actor = resolve(uow, user_id)
            self._actors.put((user_id, state.grown(_ACTOR, read)), actor)
        check(actor, operation)
        resource = operation.resource
        version = state.version(uow, resource)
        seen = state.of(operation.name)
        tag = read_tag(resource, version, _digest(operation, arguments, actor, seen))
        if matches(if_none_match, tag):
            return Response(status_code=304, headers={"ETag": tag})
        body = self._answers.get(tag)
        if body is None:
            with state.watching(uow) as read:
                body = JSONResponse(None).render(run(uow, actor))
            grown = state.grown(operation.name, read)
            if grown != seen:
                # Read more than seen before: the answer is kept, and tagged, by all of it.
                tag = read_tag(resource, version, _digest(operation, arguments, actor, grown))
            if len(body) <= LARGEST_KEPT:
                self._answers.put(tag, body)
        return Response(body, status_code=200, media_type="application/json", headers={"ETag": tag})


class _State(Protocol):
    """What the actor and the answers are kept by in one request."""

    def of(self, kind: str) -> str:
        """The state a kind of read is kept by, as text."""
        ...

    def watching(self, uow: SqlUnitOfWork) -> AbstractContextManager[set[str]]:
        """Around a read that may be kept: the tables it read, where that matters."""
        ...

    def grown(self, kind: str, read: set[str]) -> str:
        """The state to keep a kind of read by after it read ``read``."""
        ...

    def version(self, uow: SqlUnitOfWork, resource: str) -> int: ...


class _StoreWide:
    """SQLite (and PostgreSQL without counts): one token for the whole store."""

    def __init__(self, state: str, versions: _Kept[tuple[str, str], int]) -> None:
        self._state = state
        self._versions = versions

    def of(self, kind: str) -> str:
        return self._state

    def watching(self, uow: SqlUnitOfWork) -> AbstractContextManager[set[str]]:
        return nullcontext(set())

    def grown(self, kind: str, read: set[str]) -> str:
        return self._state

    def version(self, uow: SqlUnitOfWork, resource: str) -> int:
        version = self._versions.get((resource, self._state))
        if version is None:
            version = uow.versions.get(resource)
            self._versions.put((resource, self._state), version)
        return version


class _PerTable:
    """PostgreSQL: the counts of the tables each kind of read was seen to read."""

    def __init__(self, counts: ChangeCounts, tables: _TablesRead) -> None:
        self._counts = counts
        self._tables = tables

    def of(self, kind: str) -> str:
        return self._counts.state(self._tables.of(kind))

    def watching(self, uow: SqlUnitOfWork) -> AbstractContextManager[set[str]]:
        return uow.recording_reads()

    def grown(self, kind: str, read: set[str]) -> str:
        return self._counts.state(self._tables.add(kind, read))

    def version(self, uow: SqlUnitOfWork, resource: str) -> int:
        return self._counts.resources.get(resource, 0)


class _TablesRead:
    """The tables each kind of read has been seen to read, in this process (they only grow:
    a read that takes another path, e.g. when a unit has no members, adds what that path
    reads). A kept answer is found only by a state of the same tables it was kept by, and is
    kept by tables that include all it read, so a race between two threads growing one set
    costs a recomputation at most."""

    def __init__(self) -> None:
        self._read: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def of(self, kind: str) -> frozenset[str]:
        return self._read.get(kind, frozenset())

    def add(self, kind: str, tables: set[str]) -> frozenset[str]:
        with self._lock:
            grown = self._read.get(kind, frozenset()) | tables
            self._read[kind] = grown
            return grown


_ACTOR = "who"  # the kind of read that resolves the signed-in user's actor


def _token_text(uow: SqlUnitOfWork, token: Hashable) -> str:
    text = repr(token)
    # PostgreSQL's snapshot is the database's own: equal in every server process on it.
    return text if uow.connection.dialect.name == "postgresql" else f"{_PROCESS}:{text}"


def _digest(operation: Operation, arguments: BaseModel, actor: Actor, state: str) -> str:
    rights = sorted((str(area.value), int(level)) for area, level in actor.rights.levels.items())
    described = [
        operation.name,
        arguments.model_dump(mode="json"),
        actor.user_id,
        rights,
        state,
        int(time.time()) // QUARTER_HOUR,
    ]
    text = json.dumps(described, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
