"""The SQL schema (SQLAlchemy Core). Alembic migrations in ``migrations/`` create it; this module
is the source of truth the migrations are checked against (tests/integration/test_migrations.py).
"""

from __future__ import annotations

import sqlalchemy as sa

from billing_desktop.store.sql.types import ExactDecimal, UtcTimestamp, byte_ordered

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Id = sa.String(100)

account = sa.Table(
    "account",
    metadata,
    # One workspace = one account: the row id is always 1.
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("plan", sa.String(20), nullable=False),
    sa.Column("payment_method", sa.String(20), nullable=False),
    sa.Column("commit_scope", sa.String(20), nullable=False),
    sa.CheckConstraint("id = 1", name="single_account"),
)

products = sa.Table(
    "products",
    metadata,
    sa.Column("code", Id, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("unit", sa.String(20), nullable=False),
    sa.Column("unit_price", ExactDecimal, nullable=False),
    sa.Column("free_units_per_agent", ExactDecimal, nullable=False),
    sa.Column("contact_center_services", sa.Boolean, nullable=False),
    sa.Column("metering", sa.String(20), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("commit", sa.String(20), nullable=False),
    # Revision 0003: graduated tiers as "above:price;above:price" (exact decimal text).
    sa.Column("tiers", sa.String(500), nullable=False, server_default=""),
)

commits = sa.Table(
    "commits",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # '' = account level; a real key part so (product, started_on) stays unique.
    sa.Column("product", Id, nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("frequency", sa.String(20), nullable=False),
    sa.Column("started_on", sa.Date, nullable=False),
    sa.UniqueConstraint("product", "started_on", name="uq_commits_product_started_on"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    # ';'-joined privileges, sorted: a short fixed vocabulary, never queried on.
    sa.Column("access_groups", sa.String(200), nullable=False, default=""),
)

team_members = sa.Table(
    "team_members",
    metadata,
    sa.Column("team", sa.String(200), primary_key=True),
    sa.Column("user_id", Id, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)

agent_seats = sa.Table(
    "agent_seats",
    metadata,
    sa.Column("user_id", Id, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("started_on", sa.Date, primary_key=True),
    sa.Column("ended_on", sa.Date, nullable=True),
)

phone_numbers = sa.Table(
    "phone_numbers",
    metadata,
    sa.Column("number", sa.String(16), primary_key=True),
    sa.Column("label", sa.String(200), nullable=False, default=""),
)

billing_units = sa.Table(
    "billing_units",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
)

billing_unit_users = sa.Table(
    "billing_unit_users",
    metadata,
    sa.Column(
        "unit_id",
        sa.Integer,
        sa.ForeignKey("billing_units.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("user_id", Id, sa.ForeignKey("users.id"), primary_key=True),
)

billing_unit_numbers = sa.Table(
    "billing_unit_numbers",
    metadata,
    # The number is the primary key: a phone number belongs to at most one unit (PRODUCT §6).
    sa.Column("number", sa.String(16), sa.ForeignKey("phone_numbers.number"), primary_key=True),
    sa.Column(
        "unit_id", sa.Integer, sa.ForeignKey("billing_units.id", ondelete="CASCADE"), nullable=False
    ),
)

# Every change to unit membership since migration 0015, with the instant it takes effect from
# (NULL: the start of time) — the cost report reads a month's membership off it (issue 20 §5).
billing_unit_history = sa.Table(
    "billing_unit_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("unit_id", sa.Integer, nullable=False),  # no foreign key: units get deleted
    sa.Column("unit_name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),  # "user" or "number"
    sa.Column("member", sa.String(100), nullable=False),
    sa.Column("added", sa.Boolean, nullable=False),
    sa.Column("effective_from", UtcTimestamp, nullable=True),
    sa.Column("recorded_at", UtcTimestamp, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Index("ix_billing_unit_history_effective_from", "effective_from"),
)

plans = sa.Table(
    "plans",
    metadata,
    sa.Column("code", Id, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("monthly_price_minor", sa.BigInteger, nullable=False),
    sa.Column("included_sessions", sa.Integer, nullable=False),
    sa.Column("rank", sa.Integer, nullable=False),
)

apps = sa.Table(
    "apps",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("owner_user_id", Id, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("plan", Id, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("balance_minor", sa.BigInteger, nullable=False),
    sa.Column("plan_ends_on", sa.Date, nullable=True),
    sa.Column("pending_plan", Id, nullable=True),
)

conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("app", Id, sa.ForeignKey("apps.id"), nullable=False),
    sa.Column("channel", sa.String(10), nullable=False),
    sa.Column("started_at", UtcTimestamp, nullable=False),
    sa.Column("ended_at", UtcTimestamp, nullable=False),
    sa.Column("human_agent_seconds", sa.Integer, nullable=False),
    sa.Column("sync_seq", sa.BigInteger, nullable=True),  # revision 0014: watermark
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("app", Id, sa.ForeignKey("apps.id"), nullable=False),
    sa.Column("user_id", Id, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("delivered_at", UtcTimestamp, nullable=False),
    sa.Column("sync_seq", sa.BigInteger, nullable=True),  # revision 0014: watermark
)

calls = sa.Table(
    "calls",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("type", sa.String(10), nullable=False),
    sa.Column("triggered_by", sa.String(10), nullable=False),
    sa.Column("trigger_source", sa.String(100), nullable=False),
    sa.Column("candidate_id", Id, nullable=True),
    sa.Column("campaign", sa.String(200), nullable=False),
    sa.Column("number", sa.String(16), nullable=True),
    sa.Column("user_id", Id, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("started_at", UtcTimestamp, nullable=False),
    sa.Column("duration_seconds", sa.Integer, nullable=False),
    sa.Column("sync_seq", sa.BigInteger, nullable=True),  # revision 0014: watermark
)

sms = sa.Table(
    "sms",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("type", sa.String(100), nullable=False),
    sa.Column("campaign", sa.String(200), nullable=False),
    sa.Column("sent_at", UtcTimestamp, nullable=False),
    sa.Column("sync_seq", sa.BigInteger, nullable=True),  # revision 0014: watermark
)

interviews = sa.Table(
    "interviews",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("method", sa.String(20), nullable=False),
    sa.Column("campaign", sa.String(200), nullable=False),
    sa.Column("completed_at", UtcTimestamp, nullable=False),
    sa.Column("sync_seq", sa.BigInteger, nullable=True),  # revision 0014: watermark
)

recordings = sa.Table(
    "recordings",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("campaign", sa.String(200), nullable=False),
    sa.Column("minutes", ExactDecimal, nullable=False),
    sa.Column("recorded_at", UtcTimestamp, nullable=False),
    sa.Column("sync_seq", sa.BigInteger, nullable=True),  # revision 0014: watermark
)

storage_snapshots = sa.Table(
    "storage_snapshots",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("quantity", ExactDecimal, nullable=False),
)

ledger = sa.Table(
    "ledger",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("occurred_on", sa.Date, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("product", Id, nullable=True),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("reference", sa.String(100), nullable=False, default=""),
    sa.Column("description", sa.String(500), nullable=False, default=""),
    sa.Column("pool", sa.String(120), nullable=False, server_default=""),
    sa.Column("sync_seq", sa.BigInteger, nullable=True),  # revision 0014: watermark
)

invoices = sa.Table(
    "invoices",
    metadata,
    sa.Column("number", sa.String(40), primary_key=True),
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("period", sa.Date, nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("due_on", sa.Date, nullable=True),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UtcTimestamp, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("origin", sa.String(40), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("entity", sa.String(100), nullable=False),
    sa.Column("entity_id", sa.String(200), nullable=False, default=""),
    sa.Column("before", sa.JSON, nullable=True),
    sa.Column("after", sa.JSON, nullable=True),
    # Revision 0006: the Idempotency-Key of the API request that made the change, if any.
    sa.Column("request_key", sa.String(200), nullable=True),
    # Revision 0011: the tamper-evident chain (domain.audit_chain): the row's place in the
    # chain and its SHA-256, both set as the write that added it commits.
    sa.Column("chain_seq", sa.BigInteger, nullable=True),
    sa.Column("chain_hash", sa.String(64), nullable=True),
)

# Revision 0003: hourly usage rollups, written in the same transaction as the raw records, so a
# month's summary or a dashboard never scans raw records (PERFORMANCE.md B2). Quantities are
# integer micro-units (exact for recordings' decimal minutes, summable in SQL).
usage_hourly = sa.Table(
    "usage_hourly",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),  # local day in the account's time zone
    sa.Column("hour", sa.SmallInteger, primary_key=True),  # local hour 0-23
    sa.Column("app", Id, primary_key=True),  # '' for records without an app
    sa.Column("measure", sa.String(30), primary_key=True),
    sa.Column("quantity", sa.BigInteger, nullable=False),
    sa.Column("sync_seq", sa.BigInteger, nullable=True),  # revision 0014: watermark
)

closed_months = sa.Table(
    "closed_months",
    metadata,
    sa.Column("month", sa.Date, primary_key=True),  # first day of the month
    sa.Column("closed_at", UtcTimestamp, nullable=False),
    sa.Column("closed_by", sa.String(200), nullable=False),
    sa.Column("invoice_number", sa.String(40), nullable=True),
)

# What a closed month was rated at, per product: the invoice lines and the usage tab's history.
month_lines = sa.Table(
    "month_lines",
    metadata,
    sa.Column("month", sa.Date, sa.ForeignKey("closed_months.month"), primary_key=True),
    sa.Column("product", Id, primary_key=True),
    sa.Column("quantity", ExactDecimal, nullable=False),
    sa.Column("free_units_total", ExactDecimal, nullable=False),
    sa.Column("free_units_used", ExactDecimal, nullable=False),
    sa.Column("unit_price", ExactDecimal, nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("credit_applied_minor", sa.BigInteger, nullable=False),
    sa.Column("charged_minor", sa.BigInteger, nullable=False),
    sa.Column("balance_minor", sa.BigInteger, nullable=False),
)

# Revision 0004: workspace settings (auto-recharge, quotas, ...): one JSON value per key. Money
# inside a value is integer minor units, as everywhere else.
workspace_settings = sa.Table(
    "workspace_settings",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.JSON, nullable=False),
)

# Revision 0005: plan extension requests (Plans tab ▸ Manage), recorded for the account team.
plan_extension_requests = sa.Table(
    "plan_extension_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app", Id, sa.ForeignKey("apps.id"), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("requested_end", sa.Date, nullable=False),
    sa.Column("requested_by", sa.String(200), nullable=False),
    sa.Column("requested_at", UtcTimestamp, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    # Revision 0012: the admin's decision on the request (issue 19 §6).
    sa.Column("decided_by", sa.String(200), nullable=True),
    sa.Column("decided_at", UtcTimestamp, nullable=True),
    sa.Column("granted_end", sa.Date, nullable=True),
    sa.Column("decision_note", sa.String(500), nullable=False, server_default=""),
)

# Revision 0006: what the HTTP API server keeps in the store, so that any number of server
# processes on one database answer alike (the server itself holds no state).
api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # SHA-256 of the token: tokens are 256 random bits, so a fast hash is enough to make a
    # stolen store useless for signing in, and lookups stay one indexed read.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", Id, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", UtcTimestamp, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("revoked_at", UtcTimestamp, nullable=True),
    # Revision 0009: an optional end (tokens create --expires) and when it last signed in
    # (written at most once a minute per token: see server.state.LAST_USED_EVERY).
    sa.Column("expires_at", UtcTimestamp, nullable=True),
    sa.Column("last_used_at", UtcTimestamp, nullable=True),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("user_id", Id, primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("operation", sa.String(100), nullable=False),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("response", sa.JSON, nullable=False),
    sa.Column("etag", sa.String(100), nullable=True),
    sa.Column("created_at", UtcTimestamp, nullable=False),
)

# One version per resource (billing units, plans, credits...): every API write to a resource
# bumps it; writes carry the version they saw (If-Match) and a stale one is refused.
resource_versions = sa.Table(
    "resource_versions",
    metadata,
    sa.Column("resource", sa.String(40), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)

# Revision 0009: failed sign-ins per client address in the current window (the server's rate
# limit; in the store so that every server process on one database counts alike).
# Revision 0013: payments of invoices and their voids, credit notes, and
# bank-statement lines staged for reconciliation. Written once, never changed (the money is in
# the ledger; a void or a credit note is a new row).
payments = sa.Table(
    "payments",
    metadata,
    sa.Column("number", sa.String(40), primary_key=True),
    sa.Column("invoice", sa.String(40), nullable=False, index=True),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("paid_on", sa.Date, nullable=False),
    sa.Column("method", sa.String(20), nullable=False),
    sa.Column("reference", sa.String(200), nullable=False),
    sa.Column("payer", sa.String(200), nullable=False),
    sa.Column("bank_line", sa.String(100), nullable=False),
)

payment_voids = sa.Table(
    "payment_voids",
    metadata,
    sa.Column("payment", sa.String(40), primary_key=True),
    sa.Column("voided_on", sa.Date, nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
)

credit_notes = sa.Table(
    "credit_notes",
    metadata,
    sa.Column("number", sa.String(40), primary_key=True),
    sa.Column("invoice", sa.String(40), nullable=False, index=True),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("product", Id, nullable=True),
)

bank_lines = sa.Table(
    "bank_lines",
    metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("reference", sa.String(500), nullable=False),
    sa.Column("payer", sa.String(200), nullable=False),
)

bank_line_dismissals = sa.Table(
    "bank_line_dismissals",
    metadata,
    sa.Column("line", sa.String(100), primary_key=True),
    sa.Column("dismissed_on", sa.Date, nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
)

sign_in_failures = sa.Table(
    "sign_in_failures",
    metadata,
    sa.Column("address", sa.String(100), primary_key=True),
    sa.Column("window_started_at", UtcTimestamp, nullable=False),
    sa.Column("failures", sa.Integer, nullable=False),
)

# Revision 0019: how often each table has changed, on PostgreSQL (``store/sql/change_counts``):
# a statement trigger on every other table notes the table in ``changes_pending`` under the
# writing transaction's id, and a deferred trigger moves the noted tables' counts as that
# transaction commits. The API server keeps a read's answer by the counts of the tables the
# read reads, so a write elsewhere leaves its tag alone (B10). On SQLite both stay empty: its
# reads are kept by the store's data version (``SqlUnitOfWork.change_token``).
change_counts = sa.Table(
    "change_counts",
    metadata,
    sa.Column("name", sa.String(63), primary_key=True),
    sa.Column("n", sa.BigInteger, nullable=False),
)
changes_pending = sa.Table(
    "changes_pending",
    metadata,
    sa.Column("txid", sa.BigInteger, primary_key=True),
    sa.Column("name", sa.String(63), primary_key=True),
)

# Revision 0020: the calls by the hour they started in, each hour's in the order they were
# stored (an index on the exact instant put every back-filled call between stored ones: an
# import's cost grew with the calls already stored, B9). The call log orders by the hour first,
# then sorts within each hour (``repositories.queries``); the text must stay the queries' own
# (``queries.started_hour``), or neither database matches it to the index.
CALL_HOUR_MICROS = 3_600_000_000
CALL_HOUR_SQL = f"started_at / {CALL_HOUR_MICROS}"
calls.append_constraint(sa.Index("ix_calls_started_hour", sa.text(f"({CALL_HOUR_SQL})")))
# Revision 0021: the same for the sort by duration, minutes and cost, by steps of 4 seconds
# (an index on (duration_seconds, id) touched a few pages for each of a file's durations,
# more of them the longer each duration's run of stored calls).
CALL_DURATION_STEP = 4
CALL_DURATION_STEP_SQL = f"duration_seconds / {CALL_DURATION_STEP}"
calls.append_constraint(sa.Index("ix_calls_duration_step", sa.text(f"({CALL_DURATION_STEP_SQL})")))
# Revision 0002: date-range indexes the screens and reports page through.
sa.Index("ix_conversations_started_at", conversations.c.started_at)
sa.Index("ix_alerts_delivered_at", alerts.c.delivered_at)
sa.Index("ix_sms_sent_at", sms.c.sent_at)
sa.Index("ix_interviews_completed_at", interviews.c.completed_at)
sa.Index("ix_recordings_recorded_at", recordings.c.recorded_at)
sa.Index("ix_audit_log_at", audit_log.c.at)
sa.Index("ux_audit_log_chain_seq", audit_log.c.chain_seq, unique=True)
sa.Index("ix_audit_log_actor", audit_log.c.actor, audit_log.c.entity, audit_log.c.entity_id)
sa.Index("ix_audit_log_action", audit_log.c.action, audit_log.c.entity, audit_log.c.entity_id)
sa.Index("ix_audit_log_entity", audit_log.c.entity, audit_log.c.entity_id)

# Revisions 0008 and 0017: only the indexes the call log's open, last row and sort by cost
# need (B6: since 0020 and 0021 the hour and the duration step above), and the campaign list's
# (a loose index scan); the other sorts sort the table.
sa.Index("ix_calls_campaign", calls.c.campaign)

# Revision 0014: the sync watermark of the records a replica pulls "after N" (PRODUCT §13,
# store/sql/replication.py): a row is written with sync_seq NULL; the server stamps the rows
# not stamped yet with the next number of ``sync_watermarks`` when a client asks, holding that
# row's lock, so a number seen committed means every smaller one is committed too.
sync_watermarks = sa.Table(
    "sync_watermarks",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
)
# Revision 0018: the calls' two are partial, without the calls stamped 0 (those stored before the
# watermarks, which no replica asks for "after N"): the stamped ones in (sync_seq, id) order,
# and the ones not stamped yet. The sync's queries state the same conditions (replication.py).
# On PostgreSQL the same conditions are set by postgresql_options(), not here.
_STAMPED = calls.c.sync_seq > sa.literal_column("0")
_UNSTAMPED = calls.c.sync_seq.is_(None)
_PARTIAL_CALL_INDEXES = (
    (sa.Index("ix_calls_sync_seq", calls.c.sync_seq, calls.c.id, sqlite_where=_STAMPED), _STAMPED),
    (sa.Index("ix_calls_unstamped", calls.c.id, sqlite_where=_UNSTAMPED), _UNSTAMPED),
)


def postgresql_options() -> None:
    """The calls' partial indexes with their conditions on PostgreSQL too
    (``postgresql_where``, as revision 0018 made them). Set by ``engine.create_engine`` before
    it makes a PostgreSQL engine rather than when this module is imported: SQLAlchemy checks a
    dialect's options by importing that dialect, ≈ 20 ms of every start of the desktop app
    (B1), which opens SQLite stores. Setting them again changes nothing."""
    for index, where in _PARTIAL_CALL_INDEXES:
        index.dialect_options["postgresql"]["where"] = where


sa.Index("ix_conversations_sync_seq", conversations.c.sync_seq, conversations.c.id)
sa.Index("ix_alerts_sync_seq", alerts.c.sync_seq, alerts.c.id)
sa.Index("ix_sms_sync_seq", sms.c.sync_seq, sms.c.id)
sa.Index("ix_interviews_sync_seq", interviews.c.sync_seq, interviews.c.id)
sa.Index("ix_recordings_sync_seq", recordings.c.sync_seq, recordings.c.id)
sa.Index("ix_ledger_sync_seq", ledger.c.sync_seq, ledger.c.id)
sa.Index(
    "ix_usage_hourly_sync_seq",
    usage_hourly.c.sync_seq,
    usage_hourly.c.day,
    usage_hourly.c.hour,
    usage_hourly.c.app,
    usage_hourly.c.measure,
)

# Revision 0007 (keep this last): on PostgreSQL every text column compares by code point, as
# SQLite's do (types.byte_ordered), so ORDER BY and comparisons agree on every backend.
for _table in metadata.tables.values():
    for _column in _table.columns:
        if type(_column.type) is sa.String and _column.type.collation is None:
            _column.type = byte_ordered(_column.type)
