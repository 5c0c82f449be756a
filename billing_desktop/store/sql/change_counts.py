"""How often each table has changed, on PostgreSQL (revision 0019), and which tables a read
reads: what the API server keeps a read's answer by (``server/conditional``, B10).

A store-wide change token (PostgreSQL's snapshot) moves with every commit, so with writes a
few times a second no read's tag survives from one ask to the next. Counted per table, a unit
write leaves the call log's, the quotas' and the invoices' tags alone.

**Counting.** Every table but the two below has a statement trigger (``NOTE``): it notes the
table in ``changes_pending`` under the writing transaction's id (one row per table and
transaction, whatever the number of statements or rows). A deferred constraint trigger on that
table (``COUNT``) runs as the transaction commits: it adds one to the count of each table
noted, in name order, and deletes the notes. So

* a count moves in the same commit as the data, never before (a reader that reads the counts
  and then the data sees data at least as new as the counts) and not at all for a rollback;
* the count rows are locked only from that trigger to the end of the commit, in one order, so
  two writers cannot deadlock on them; writers of different tables do not meet at all;
* any writer is counted — the server, the command line, a script with ``psql`` — because
  the database does it; a statement that changes no row counts too (a needless recomputation,
  never a stale answer).

A new table gets the trigger in the revision that adds it (``count_changes_of``); the
contract suite checks that every table of the schema has it.

**Reading.** ``read_tables`` names the tables of the schema a statement's text mentions: a
word match against every table name, so a column or alias that happens to share a name adds a
table (again a needless recomputation, never a stale answer).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from typing import Any

from billing_desktop.store.sql import tables as t

# Tables that are not counted: the counts themselves, and Alembic's.
NOT_COUNTED = frozenset({t.change_counts.name, t.changes_pending.name, "alembic_version"})

NOTE_FUNCTION = """
CREATE OR REPLACE FUNCTION billing_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO changes_pending (txid, name) VALUES (txid_current(), TG_TABLE_NAME)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$
"""

COUNT_FUNCTION = """
CREATE OR REPLACE FUNCTION billing_count_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- In name order: two commits lock the count rows in the same order.
    INSERT INTO change_counts (name, n)
    SELECT name, 1 FROM changes_pending WHERE txid = NEW.txid ORDER BY name
    ON CONFLICT (name) DO UPDATE SET n = change_counts.n + 1;
    DELETE FROM changes_pending WHERE txid = NEW.txid;
    RETURN NULL;
END
$$
"""

COUNT_TRIGGER = """
CREATE CONSTRAINT TRIGGER billing_count_changes AFTER INSERT ON changes_pending
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION billing_count_changes()
"""

NOTE_TRIGGER = "billing_note_change"

# One statement: every table's count and every resource's version (the ETag's first part).
READ = (
    "SELECT 't', name, n FROM change_counts "
    "UNION ALL SELECT 'r', resource, version FROM resource_versions"
)


def count_changes_of(table: str) -> str:
    """The DDL that counts the changes of ``table`` (for the revision that adds it)."""
    return (
        f"CREATE TRIGGER {NOTE_TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION billing_note_change()"
    )


def stop_counting(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {NOTE_TRIGGER} ON {table}"


class ChangeCounts:
    """The counts read in one statement: per table, and the resources' versions."""

    __slots__ = ("resources", "tables")

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.tables: dict[str, int] = {}
        self.resources: dict[str, int] = {}
        for kind, name, n in rows:
            (self.tables if kind == "t" else self.resources)[name] = int(n)

    def state(self, names: Iterable[str]) -> str:
        """The counts of ``names`` as text (a table never changed counts 0), naming them: two
        states of different tables never compare equal."""
        return ",".join(f"{name}={self.tables.get(name, 0)}" for name in sorted(names))


@cache
def _table_words() -> re.Pattern[str]:
    """Any table name of the schema as a word (compiled on first use, not at start-up: B1)."""
    counted = sorted((n for n in t.metadata.tables if n not in NOT_COUNTED), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(counted) + r")\b")


@lru_cache(maxsize=4096)
def read_tables(statement: str) -> frozenset[str]:
    """The tables of the schema that ``statement`` names (its text; kept per text, as the
    statements of a server are the same few hundred compiled texts)."""
    return frozenset(_table_words().findall(statement))
