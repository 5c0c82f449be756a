"""What a client may do while its server is out of reach (PRODUCT §13), and the outbox format.

Three kinds of change, by operation name:

* **queued**: applied to the replica at once and recorded in the outbox, replayed later —
  billing-unit edits, plan changes and extension requests, owner changes, quota settings;
* **requests**: recorded in the outbox only, shown as pending, and not applied to the replica
  — money does not exist until the server accepts it (credit purchases, one-time payments,
  funds added to an app);
* everything else is **online only**, refused offline with one line saying why — a month
  close and anything that issues a number (invoices, credit notes), and settings that move
  money by themselves (auto-recharge). CSV imports are refused offline too: an import is
  checked against the whole store (duplicates, closed months, the records' users and apps),
  which a replica of one user's rights cannot do faithfully, and a file of a million rows
  does not belong in an outbox.
"""

from __future__ import annotations

# The outbox format and sync protocol version (server/sync.py checks it per operation).
SYNC_API_VERSION = 1
# The header a replay of changes made offline carries, and its value: the server audits the
# change as from "sync" (the activity report's "Sync").
ORIGIN_HEADER = "X-Billing-Origin"
SYNC_ORIGIN = "sync"

QUEUED: frozenset[str] = frozenset(
    {
        "units.add_unit",
        "units.rename_unit",
        "units.delete_unit",
        "units.restore_unit",
        "units.assign",
        "units.unassign",
        "units.reapply",
        "units.revert",
        "plans.change_plan",
        "plans.cancel_downgrade",
        "plans.change_owner",
        "plans.request_extension",
        "quotas.set_quota",
        "quotas.set_packs",
    }
)
REQUESTS: frozenset[str] = frozenset(
    {"credits.purchase_credits", "credits.make_one_time_payment", "plans.add_funds"}
)
# Queued changes that do not depend on what the user saw (they add, they do not overwrite):
# replayed with If-Match: *, so another client's edit of the same resource is no conflict for
# them (the service still checks what it must, such as a unit name being taken).
UNCONDITIONAL: frozenset[str] = REQUESTS | {"units.add_unit", "plans.request_extension"}

_ONLINE_ONLY_REASONS: dict[str, str] = {
    "billing.close_month": "closing a month issues an invoice number, which only the server "
    "gives out",
    "credits.set_auto_recharge": "auto-recharge buys credit by itself, which only the server "
    "can do",
}


def offline_refusal(operation: str) -> str | None:
    """The one line refusing ``operation`` offline, or None when it may be queued."""
    if operation in QUEUED or operation in REQUESTS:
        return None
    reason = _ONLINE_ONLY_REASONS.get(operation, "this change is made on the server only")
    return f"offline: {reason}; nothing was changed — try again when the server is back"


def is_request(operation: str) -> bool:
    """A change queued without being applied to the replica (money the server creates)."""
    return operation in REQUESTS
