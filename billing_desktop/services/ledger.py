"""The bookkeeping every write shares: its audit row and the next number of a ledger reference.

One place for what the use cases of credits, plans, billing units and quotas each wrote for
themselves: who changed what, from where, before and after (PRODUCT §3 "Audit log"), and the
gap-free references of ledger rows (CR-000003, AUTO-000001).
"""

from __future__ import annotations

from datetime import UTC, datetime

from billing_desktop.domain.access import Actor
from billing_desktop.domain.model import AuditEntry
from billing_desktop.store.ports import UnitOfWork


def audit(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    entity_id: object,
    before: dict[str, object] | None,
    after: dict[str, object] | None,
    now: datetime | None = None,
    *,
    entity: str,
) -> None:
    """Add the audit row of a change, in the change's own unit of work."""
    uow.audit.add(
        AuditEntry(
            at=now or datetime.now(UTC),
            actor=actor.audit_name,
            origin=actor.origin,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=before,
            after=after,
        )
    )


def next_reference(uow: UnitOfWork, prefix: str) -> str:
    """One more than the highest ``<prefix>nnnnnn`` in the ledger (CR-000003, AUTO-000001)."""
    highest = 0
    for entry in uow.ledger.all():
        tail = entry.reference[len(prefix) :]
        if entry.reference.startswith(prefix) and tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}{highest + 1:06d}"
