"""The month-end bundle (issue 23): one folder an accountant archives for a closed month.

It holds the month's statement (PDF/A-2b), its invoices and credit notes (PDF/A-3b Factur-X,
and each XML on its own), the call log of the month (CSV), the billing-units cost report (CSV),
the activity report of the month (CSV; for those who may see it: admins and Edit Billing), and a
``MANIFEST.sha256`` of every file (``sha256sum -c`` reads it). Optionally the PDFs carry a
PAdES signature and the manifest a detached CMS signature (``MANIFEST.sha256.p7s``), made with
a certificate the user gives (``archive.signing``).

**Reproducible.** The same closed month gives the same bytes, signatures apart: every document
is made "as of" the day of the close and dated with the close's time (``BundlePlan``), reportlab
runs in invariant mode, PDF file IDs are derived from the content (qpdf's deterministic ID), the
XML and CSV carry no time of their own, and the manifest lists the files by name.

**Open to more kinds.** Each kind of document is a :class:`Kind` in :data:`KINDS`, a function
from the bundle's :class:`Context` to the :class:`Item` files it adds (``register``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Protocol

from billing_desktop.archive.invoices import invoice_files
from billing_desktop.domain.access import Actor, Area
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.periods import Month
from billing_desktop.exports.tables import write_table
from billing_desktop.reports.layout import RenderCancelled, RenderHooks
from billing_desktop.reports.statement import render_statement
from billing_desktop.services.activity import (
    HEADER,
    ActivityQuery,
    activity_count,
    activity_page,
    all_lines,
)
from billing_desktop.services.archiving import BundlePlan, bundle_plan
from billing_desktop.services.gateway import Gateway
from billing_desktop.services.statements import statement
from billing_desktop.services.task_state import Cancelled, TaskState
from billing_desktop.services.units import unit_report, write_report
from billing_desktop.services.usage_data import CallQuery, export_call_log

MANIFEST = "MANIFEST.sha256"
MANIFEST_SIGNATURE = "MANIFEST.sha256.p7s"


@dataclass(frozen=True, slots=True)
class Context:
    store: Gateway
    actor: Actor
    plan: BundlePlan
    state: TaskState

    @property
    def month(self) -> Month:
        return self.plan.month

    def hooks(self) -> RenderHooks:
        return RenderHooks(cancelled=self.state.cancelled)


@dataclass(frozen=True, slots=True)
class Item:
    """One file of the bundle: its name and how to write it (to the path given)."""

    name: str
    title: str  # what the progress says while it is written
    write: Callable[[Path], None]


Kind = Callable[[Context], list[Item]]


def _bytes_item(name: str, title: str, make: Callable[[], bytes]) -> Item:
    def write(path: Path) -> None:
        path.write_bytes(make())

    return Item(name, title, write)


def statement_items(context: Context) -> list[Item]:
    month, plan = context.month, context.plan

    def make() -> bytes:
        data = context.store.read(statement, context.actor, month, plan.as_of)
        return render_statement(data, context.hooks(), created=plan.closed_at).data

    return [_bytes_item(f"statement-{month}.pdf", f"Statement of {month}", make)]


def invoice_items(context: Context) -> list[Item]:
    return _e_invoice_items(context, context.plan.invoices, "Invoice")


def credit_note_items(context: Context) -> list[Item]:
    return _e_invoice_items(context, context.plan.credit_notes, "Credit note")


def activity_items(context: Context) -> list[Item]:
    """The month's activity report as CSV (no time of its own: the same month gives the same
    file), for those who may see the activity report."""
    if not context.actor.rights.can_edit(Area.USAGE):
        return []
    month = context.month
    query = ActivityQuery(first=month.first_day, last=month.last_day)

    def write(path: Path) -> None:
        store, actor = context.store, context.actor
        total = store.read(activity_count, actor, query)
        lines = [
            line
            for chunk in all_lines(
                lambda offset, limit: store.read(activity_page, actor, query, offset, limit),
                total,
                context.state,
            )
            for line in chunk
        ]
        write_table(path, HEADER, [line.cells() for line in lines], title="Activity report")

    return [Item(f"activity-{month}.csv", f"Activity report of {month}", write)]


def _e_invoice_items(context: Context, numbers: tuple[str, ...], kind: str) -> list[Item]:
    items: list[Item] = []
    plan = context.plan
    for number in numbers:
        made: dict[str, bytes | None] = {}

        def pdf(path: Path, number: str = number, made: dict[str, bytes | None] = made) -> None:
            files = invoice_files(
                context.store,
                context.actor,
                number,
                context.hooks(),
                today=plan.as_of,
                created=plan.closed_at,
            )
            made["xml"] = files.xml
            path.write_bytes(files.pdf)

        def xml(path: Path, made: dict[str, bytes | None] = made) -> None:
            data = made.get("xml")
            if data is None:
                raise InvalidInput(f"{path.name}: the invoice has no Factur-X XML")
            path.write_bytes(data)

        items.append(Item(f"{number}.pdf", f"{kind} {number}", pdf))
        items.append(Item(f"{number}.xml", f"Factur-X XML of {number}", xml))
    return items


def call_log_items(context: Context) -> list[Item]:
    month = context.month
    query = CallQuery(first=month.first_day, last=month.last_day)

    def write(path: Path) -> None:
        context.store.read(export_call_log, context.actor, query, path)

    return [Item(f"call-log-{month}.csv", f"Call log of {month}", write)]


def units_items(context: Context) -> list[Item]:
    month, plan = context.month, context.plan

    def write(path: Path) -> None:
        report = context.store.read(unit_report, context.actor, month, plan.as_of)
        write_report(report, path)

    return [Item(f"units-{month}.csv", f"Billing units cost report of {month}", write)]


KINDS: list[Kind] = [
    statement_items,
    invoice_items,
    credit_note_items,
    call_log_items,
    units_items,
    activity_items,
]


def register(kind: Kind) -> None:
    """Add a kind of document to every bundle (credit notes, the activity report…)."""
    if kind not in KINDS:
        KINDS.append(kind)


@dataclass(frozen=True, slots=True)
class Written:
    folder: Path
    files: tuple[str, ...]  # every file of the bundle, the manifest (and signature) included
    signed: bool


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_text(folder: Path, names: list[str]) -> str:
    """``sha256sum`` lines ("<hex>  <name>") of ``names``, sorted by name."""
    return "".join(f"{sha256(folder / name)}  {name}\n" for name in sorted(names))


def check_destination(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidInput(f"{out}: the bundle's folder must be new or empty")
    if not out.parent.is_dir():
        raise InvalidInput(f"{out}: no such folder {out.parent}")


def export_bundle(
    store: Gateway,
    actor: Actor,
    month: Month,
    out: Path,
    state: TaskState | None = None,
    signer: Signer | None = None,
) -> Written:
    """Write the bundle of the closed ``month`` into the new (or empty) folder ``out``. It is
    made in a hidden folder beside ``out`` and moved into place at the end: a failure or a
    cancel leaves nothing."""
    state = state or TaskState()
    check_destination(out)
    plan = store.read(bundle_plan, actor, month)
    if plan.closed_at.tzinfo is None:
        plan = BundlePlan(plan.month, plan.closed_at.replace(tzinfo=UTC), plan.as_of, plan.invoices)
    context = Context(store, actor, plan, state)
    items = [item for kind in KINDS for item in kind(context)]
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        steps = len(items) + (2 if signer else 1)
        for done, item in enumerate(items):
            state.check("the bundle")
            state.progress(done / steps, f"{item.title}…")
            item.write(work / item.name)
        names = [item.name for item in items]
        if signer is not None:
            state.progress(len(items) / steps, "Signing the PDFs…")
            for name in names:
                state.check("the bundle")
                if name.endswith(".pdf"):
                    signer.sign_pdf(work / name)
        state.check("the bundle")
        state.progress((steps - 1) / steps, "Writing the manifest…")
        (work / MANIFEST).write_text(manifest_text(work, names), encoding="utf-8", newline="\n")
        files = [*sorted(names), MANIFEST]
        if signer is not None:
            (work / MANIFEST_SIGNATURE).write_bytes(
                signer.sign_detached((work / MANIFEST).read_bytes())
            )
            files.append(MANIFEST_SIGNATURE)
        state.check("the bundle")
        if out.exists():
            out.rmdir()  # empty (checked above)
        os.replace(work, out)
    except RenderCancelled:
        shutil.rmtree(work, ignore_errors=True)
        raise Cancelled("the bundle was cancelled; nothing was written") from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    state.progress(1.0, "Done")
    return Written(out, tuple(files), signer is not None)


# --- verify -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verified:
    ok: bool
    checked: tuple[str, ...]  # the files whose hash matched
    problem: str = ""  # "<file>: what is wrong" for the first bad file
    signatures: tuple[str, ...] = ()  # "<file>: signed by <subject>" of each valid signature


def verify_bundle(
    folder: Path, verifier: Callable[[Path, bytes], list[str]] | None = None
) -> Verified:
    """Check every file of ``folder`` against its ``MANIFEST.sha256`` (present, same bytes,
    nothing more), then the signatures when there are any (``archive.signing.verify``)."""
    manifest = folder / MANIFEST
    if not folder.is_dir():
        return Verified(False, (), f"{folder}: no such folder")
    if not manifest.is_file():
        return Verified(False, (), f"{MANIFEST}: missing")
    listed: dict[str, str] = {}
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name or "/" in name or "\\" in name or name in listed:
            return Verified(False, (), f"{MANIFEST}: line {number} is not '<sha256>  <file>'")
        listed[name] = digest
    checked: list[str] = []
    for name in sorted(listed):
        path = folder / name
        if not path.is_file():
            return Verified(False, tuple(checked), f"{name}: missing")
        if sha256(path) != listed[name]:
            return Verified(False, tuple(checked), f"{name}: its SHA-256 differs from the manifest")
        checked.append(name)
    extra = sorted(
        p.name
        for p in folder.iterdir()
        if p.name not in listed and p.name not in (MANIFEST, MANIFEST_SIGNATURE)
    )
    if extra:
        return Verified(False, tuple(checked), f"{extra[0]}: not in the manifest")
    signatures: list[str] = []
    if verifier is not None:
        try:
            signatures = verifier(folder, manifest.read_bytes())
        except InvalidInput as exc:
            return Verified(False, tuple(checked), str(exc))
    elif (folder / MANIFEST_SIGNATURE).exists():
        return Verified(False, tuple(checked), f"{MANIFEST_SIGNATURE}: signatures not checked")
    return Verified(True, tuple(checked), "", tuple(signatures))


class Signer(Protocol):
    """Signs PDFs (PAdES) and data (detached CMS): ``archive.signing.CertificateSigner``."""

    def sign_pdf(self, path: Path) -> None: ...

    def sign_detached(self, data: bytes) -> bytes: ...


__all__ = [
    "KINDS",
    "MANIFEST",
    "MANIFEST_SIGNATURE",
    "Context",
    "Item",
    "Kind",
    "Signer",
    "Verified",
    "Written",
    "export_bundle",
    "register",
    "verify_bundle",
]
