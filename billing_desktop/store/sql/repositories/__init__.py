"""SQL implementations of the repository Protocols (SQLAlchemy Core, no ORM objects escape),
one module per port."""

from billing_desktop.store.sql.repositories.account import SqlAccount
from billing_desktop.store.sql.repositories.audit import SqlAudit
from billing_desktop.store.sql.repositories.closing import SqlClosing
from billing_desktop.store.sql.repositories.collections import MAPPERS, SqlApps, SqlUsers
from billing_desktop.store.sql.repositories.common import (
    CHUNK,
    INSERT_BATCH,
    CurrencySource,
    Mapper,
    SqlCollection,
    chunks,
)
from billing_desktop.store.sql.repositories.extension_requests import SqlExtensionRequests
from billing_desktop.store.sql.repositories.ledger import SqlLedger
from billing_desktop.store.sql.repositories.queries import SqlQueries
from billing_desktop.store.sql.repositories.rollups import (
    MICRO,
    SqlRollups,
    from_micro_units,
    to_micro_units,
)
from billing_desktop.store.sql.repositories.settings import SqlSettings
from billing_desktop.store.sql.repositories.units import SqlBillingUnits

__all__ = [
    "CHUNK",
    "INSERT_BATCH",
    "MAPPERS",
    "MICRO",
    "CurrencySource",
    "Mapper",
    "SqlAccount",
    "SqlApps",
    "SqlAudit",
    "SqlBillingUnits",
    "SqlClosing",
    "SqlCollection",
    "SqlExtensionRequests",
    "SqlLedger",
    "SqlQueries",
    "SqlRollups",
    "SqlSettings",
    "SqlUsers",
    "chunks",
    "from_micro_units",
    "to_micro_units",
]
