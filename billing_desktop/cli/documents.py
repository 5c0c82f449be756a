"""Documents an auditor keeps (issue 23): ``invoice`` (a Factur-X PDF/A-3 and its XML) and
``bundle`` (the month-end bundle, and ``bundle verify``)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from billing_desktop.cli.common import UsageError, acting, month_arg
from billing_desktop.cli.registry import Handler


def register(commands: Any) -> dict[str, Handler]:
    invoice = commands.add_parser(
        "invoice",
        help="write an invoice as a Factur-X PDF (PDF/A-3 with its EN 16931 XML)",
        description="Write invoice NUMBER as a PDF/A-3 with its EN 16931 (Factur-X) XML "
        "embedded as factur-x.xml, and the XML on its own with --xml. An order receipt is "
        "written as a PDF/A-3 without XML. Settings the XML still lacks for EN 16931's business "
        "rules (the seller's country and VAT identifier…) are listed on standard error.",
    )
    invoice.add_argument("number", metavar="NUMBER", help="the invoice number, e.g. INV-000007")
    invoice.add_argument(
        "--out", type=Path, required=True, metavar="FILE.pdf", help="the PDF file to write"
    )
    invoice.add_argument("--xml", type=Path, metavar="FILE.xml", help="also write the XML here")

    bundle = commands.add_parser(
        "bundle",
        help="write (or verify) the month-end bundle of a closed month",
        description="Write the month-end bundle of a closed month into a new folder: the "
        "statement (PDF/A-2b), the invoices (Factur-X PDF/A-3 and XML), the call log (CSV), the "
        "billing-units cost report (CSV) and MANIFEST.sha256. With --sign-cert every PDF gets a "
        "PAdES signature and the manifest a detached one (MANIFEST.sha256.p7s); the "
        "certificate's password is asked for. The same month gives the same files. "
        "'bundle verify DIR' checks a bundle.",
    )
    bundle.add_argument("--month", type=month_arg, metavar="YYYY-MM", help="the closed month")
    bundle.add_argument("--out", type=Path, metavar="DIR", help="a new (or empty) folder")
    bundle.add_argument(
        "--sign-cert",
        type=Path,
        metavar="FILE.p12",
        help="sign with this PKCS#12 certificate and key (its password is read without echo)",
    )
    actions = bundle.add_subparsers(dest="bundle_command", metavar="ACTION")
    verify = actions.add_parser(
        "verify",
        help="check a bundle's files against its manifest, and its signatures",
        description="Check every file of DIR against MANIFEST.sha256 (present, unchanged, "
        "nothing added) and every signature (intact, valid, covering the whole file). Exit 0 "
        "when all is well, 2 naming the first bad file.",
    )
    verify.add_argument("folder", type=Path, metavar="DIR")
    return {"invoice": _cmd_invoice, "bundle": _cmd_bundle}


def _check_out(path: Path, option: str, example: str) -> None:
    if path.is_dir():
        raise UsageError(f"{option} {path} is a folder: give a file name, e.g. {example}")
    if not path.parent.is_dir():
        raise UsageError(f"{option} {path}: no such folder {path.parent}")


def _cmd_invoice(args: argparse.Namespace) -> int:
    from billing_desktop.archive.invoices import invoice_files
    from billing_desktop.reports.layout import write_atomically

    _check_out(args.out, "--out", f"{args.number}.pdf")
    if args.xml is not None:
        _check_out(args.xml, "--xml", f"{args.number}.xml")
    store, actor = acting(args)
    files = invoice_files(store, actor, args.number)
    if args.xml is not None and files.xml is None:
        raise UsageError(f"{args.number} is an order receipt: it has no Factur-X XML (--xml)")
    write_atomically(args.out, files.pdf)
    if args.xml is not None and files.xml is not None:
        write_atomically(args.xml, files.xml)
    for gap in files.gaps:
        print(f"note: EN 16931 rules: {gap}", file=sys.stderr)
    kind = "Factur-X (EN 16931) PDF/A-3" if files.xml is not None else "PDF/A-3"
    also = f" and its XML to {args.xml}" if args.xml is not None else ""
    print(f"Wrote {args.number} as a {kind} to {args.out}{also}.")
    return 0


def _cmd_bundle(args: argparse.Namespace) -> int:
    if args.bundle_command == "verify":
        return _verify(args.folder)
    if args.month is None or args.out is None:
        raise UsageError("bundle: give --month YYYY-MM and --out DIR (or: bundle verify DIR)")
    from billing_desktop.archive.bundle import check_destination, export_bundle
    from billing_desktop.domain.periods import Month

    check_destination(args.out)
    signer = None
    if args.sign_cert is not None:
        from billing_desktop.archive.signing import CertificateSigner

        if not args.sign_cert.is_file():
            raise UsageError(f"--sign-cert {args.sign_cert}: no such file")
        password = getpass.getpass(f"Password of {args.sign_cert.name}: ")
        signer = CertificateSigner(args.sign_cert, password.encode("utf-8"))
    store, actor = acting(args)
    written = export_bundle(store, actor, Month.parse(args.month), args.out, signer=signer)
    signed = ", signed" if written.signed else ""
    print(f"Wrote the {args.month} bundle to {written.folder}: {len(written.files)} files{signed}.")
    for name in written.files:
        print(f"  {name}")
    return 0


def _verify(folder: Path) -> int:
    from billing_desktop.archive.bundle import MANIFEST_SIGNATURE, verify_bundle
    from billing_desktop.archive.signing import verify_signatures

    def signatures(where: Path, manifest: bytes) -> list[str]:
        return verify_signatures(where, manifest, MANIFEST_SIGNATURE)

    result = verify_bundle(folder, signatures)
    if not result.ok:
        print(f"billing-desktop: error: {folder}: {result.problem}", file=sys.stderr)
        return 2
    print(f"{folder}: {len(result.checked)} files match MANIFEST.sha256.")
    for line in result.signatures:
        print(f"  {line} (signature intact; the signer's trust is not checked)")
    return 0
