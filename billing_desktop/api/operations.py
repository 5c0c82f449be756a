"""The use cases a store can run for the GUI and the command line: the remote API's contract.

Each :class:`Operation` is one service function ``fn(uow, actor, ...plain data...)``. A local
store runs it in a unit of work of its own; the remote store sends its arguments to the server,
which runs the same function there as the user its token names. So the HTTP API is made of use
cases, not tables: the server can then check each request against PRODUCT §9 (a shared-account
user is refused every Plans operation, and no other operation returns plan data), which a
table-shaped API could not do without handing out whole tables.

``area`` is the tab whose rights the operation needs (view for reads, edit for writes; the
service checks finer rules itself). ``resource`` names what a write changes, or what a read
shows, for optimistic concurrency: a write carries the version of its resource the client last
read (If-Match) and is refused when someone else has changed it since.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from billing_desktop.domain.access import Area
from billing_desktop.services import (
    account,
    activity,
    archiving,
    assignment_preview,
    auto_pay,
    billing,
    credit_notes,
    credits,
    einvoicing,
    explain,
    forecast,
    month_close,
    overview,
    pack_purchases,
    payment_methods,
    payments,
    plan_extensions,
    plans,
    prepaid,
    pricing,
    quotas,
    reconcile,
    recording_storage,
    sessions,
    statements,
    statistics,
    units,
    usage_data,
    usage_page,
    whatif,
)
from billing_desktop.services.changes import declared_changes
from billing_desktop.services.units import history

READ = "read"
WRITE = "write"


@dataclass(frozen=True)
class Operation:
    name: str  # "units.add_unit": the module and the function
    function: Callable[..., Any]
    kind: str  # READ or WRITE
    area: Area | None  # None: any signed-in user of the workspace
    resource: str
    # How the caller is passed: "actor" (an Actor) or "user_id" (the workspace read, which
    # works out the actor itself).
    caller: str = "actor"

    @property
    def writes(self) -> bool:
        return self.kind == WRITE


def _op(
    function: Callable[..., Any],
    kind: str,
    area: Area | None,
    resource: str | None = None,
    caller: str = "actor",
    name: str | None = None,
) -> Operation:
    """``resource``: what a read shows; a write changes what its use case declares
    (``services.changes``), one resource. ``name`` (default: "<module>.<function>") is the
    operation's URL path: give the old one when a use case moves to another module, so the API
    stays as it was."""
    # The use case's module under services/ (a package's parts share its name: "units").
    module = function.__module__.removeprefix("billing_desktop.services.").split(".")[0]
    name = name or f"{module}.{function.__name__}"
    if kind == WRITE:
        declared = declared_changes(function)
        if declared is None or len(declared) != 1:
            raise ValueError(f"{name}: a write declares the one resource it changes (@changes)")
        (resource,) = declared
    if resource is None:
        raise ValueError(f"{name}: a read names the resource it shows")
    return Operation(name, function, kind, area, resource, caller)


U, BU, P, INV, UD = (
    Area.USAGE,
    Area.BILLING_UNITS,
    Area.PLANS,
    Area.INVOICES,
    Area.USAGE_DATA,
)

_OPERATIONS = [
    _op(overview.workspace, READ, None, "workspace", caller="user_id"),
    _op(overview.change_versions, READ, None, "workspace"),
    # Usage tab
    _op(usage_page.usage_page, READ, U, "credits"),
    _op(usage_page.transactions, READ, U, "credits"),
    _op(billing.usage_summary, READ, U, "credits"),
    _op(pricing.rate_card, READ, U, "credits"),
    _op(credits.purchase_credits, WRITE, U),
    _op(credits.make_one_time_payment, WRITE, U),
    _op(credits.set_auto_recharge, WRITE, U),
    _op(month_close.close_month, WRITE, U, name="billing.close_month"),
    # Billing Units tab
    _op(units.units_overview, READ, BU, "units"),
    _op(units.unit_members, READ, BU, "units"),
    _op(units.deletion_impact, READ, BU, "units"),
    _op(units.unit_report, READ, BU, "units"),
    _op(units.find_unit, READ, BU, "units"),
    _op(units.add_unit, WRITE, BU),
    _op(units.rename_unit, WRITE, BU),
    _op(units.delete_unit, WRITE, BU),
    _op(units.restore_unit, WRITE, BU),
    _op(units.assign, WRITE, BU),
    _op(units.unassign, WRITE, BU),
    _op(units.reapply, WRITE, BU),
    _op(units.revert, WRITE, BU),
    # Plans tab
    _op(overview.apps, READ, P, "plans"),
    _op(plans.app_plans, READ, P, "plans"),
    _op(plans.change_plan, WRITE, P),
    _op(plans.cancel_downgrade, WRITE, P),
    _op(plans.change_owner, WRITE, P),
    _op(plans.add_funds, WRITE, P),
    _op(plans.request_extension, WRITE, P),
    # Invoices tab
    _op(statements.invoice_history, READ, INV, "closing"),
    _op(statements.invoice_document, READ, INV, "closing"),
    _op(statements.statement, READ, INV, "closing"),
    _op(statements.statement_months, READ, INV, "closing"),
    # Usage Data tab
    _op(sessions.session_statistics, READ, UD, "records"),
    _op(sessions.sessions_scope, READ, UD, "records"),
    _op(usage_data.call_log_start, READ, UD, "records"),
    _op(usage_data.call_log_page, READ, UD, "records"),
    _op(usage_data.call_log_count, READ, UD, "records"),
    _op(statistics.interview_statistics, READ, UD, "records"),
    _op(statistics.sms_statistics, READ, UD, "records"),
    _op(statistics.recording_statistics, READ, UD, "records"),
    _op(quotas.quota_overview, READ, UD, "quotas"),
    # Nobody edits Usage Data (PRODUCT §9): setting quotas takes the right to edit Usage,
    # and the service checks Usage Data view as well.
    _op(quotas.set_quota, WRITE, U),
    _op(quotas.set_packs, WRITE, U),
    # documents (issue 23): an invoice as an EN 16931 e-invoice (Factur-X).
    _op(einvoicing.e_invoice, READ, INV, "closing"),
    _op(archiving.bundle_plan, READ, INV, "closing"),
    # issue 18 §1, §4: the month-close preview, the activity report and
    # the check of the audit chain (each service requires the right to edit Usage).
    _op(month_close.preview_close, READ, U, "closing", name="billing.preview_close"),
    _op(month_close.months_to_close, READ, U, "closing", name="billing.months_to_close"),
    _op(activity.activity_start, READ, U, "workspace"),
    _op(activity.activity_page, READ, U, "workspace"),
    _op(activity.activity_count, READ, U, "workspace"),
    _op(activity.activity_choices, READ, U, "workspace"),
    _op(activity.verify_audit_chain, READ, U, "workspace"),
    # issue 18 §2, §3: payments, bank reconciliation, credit notes. Seeing
    # them takes the Invoices tab; writing them, the right to edit billing (Usage edit: admins
    # and Edit Billing, as buying credit and closing months), which the services check too.
    _op(payments.list_payments, READ, INV, "credits"),
    _op(payments.record_payment, WRITE, U),
    _op(payments.void_payment, WRITE, U),
    _op(reconcile.reconciliation, READ, INV, "credits"),
    _op(reconcile.confirm_lines, WRITE, U),
    _op(reconcile.dismiss_lines, WRITE, U),
    _op(credit_notes.creditable, READ, INV, "credits"),
    _op(credit_notes.issue_credit_note, WRITE, U),
    # issue 20: explain a charge, forecast, what-if, invoiced unit costs
    _op(explain.explain_charge, READ, U, "credits"),
    _op(explain.explained_conversations, READ, U, "credits"),
    _op(forecast.month_forecast, READ, U, "credits"),
    _op(whatif.what_if, READ, U, "credits"),
    # My account, payment methods, prepaid invoices, plan extension decisions (issue 19)
    _op(account.account_details, READ, U, "workspace"),
    _op(account.update_account, WRITE, U),
    _op(payment_methods.payment_methods, READ, U, "workspace"),
    _op(payment_methods.add_card, WRITE, U),
    _op(payment_methods.add_bank_account, WRITE, U),
    _op(payment_methods.remove_payment_method, WRITE, U),
    _op(payment_methods.set_default_payment_method, WRITE, U),
    _op(plan_extensions.approve_extension, WRITE, P),
    _op(plan_extensions.reject_extension, WRITE, P),
    _op(recording_storage.recording_storage, READ, UD, "records"),
    _op(prepaid.prepaid_invoices, READ, U, "credits"),
    _op(prepaid.issue_prepaid_invoice, WRITE, U),
    _op(prepaid.mark_prepaid_paid, WRITE, U),
    # an assignment's cost preview before it is saved, and the membership history (issue 20)
    _op(assignment_preview.preview_assignment, READ, BU, "units"),
    _op(history.membership_history, READ, BU, "units"),
    # auto-pay of invoices, add-on volume packs (issue 19)
    _op(auto_pay.auto_pay_status, READ, INV, "credits"),
    _op(auto_pay.apply_auto_pay, WRITE, U),
    _op(pack_purchases.pack_purchases, READ, UD, "quotas"),
    _op(pack_purchases.buy_pack, WRITE, U),
]

OPERATIONS: dict[str, Operation] = {op.name: op for op in _OPERATIONS}
_BY_FUNCTION: dict[Callable[..., Any], Operation] = {op.function: op for op in _OPERATIONS}


def operation_for(function: Callable[..., Any]) -> Operation | None:
    return _BY_FUNCTION.get(function)
