"""Signatures of a month-end bundle, with pyHanko: a PAdES signature (B-B baseline, an
incremental update that keeps the PDF/A content as it was) on every PDF, and a detached CMS
signature of ``MANIFEST.sha256`` in ``MANIFEST.sha256.p7s``.

The certificate and its key come from a PKCS#12 file the user gives; its password is asked for
(the command line reads it without echo, the GUI in a password field) and never written
anywhere. Verification checks that each signature is intact and cryptographically valid and
covers the whole file; it does not decide whether the signer is to be trusted (no trust list:
it names the signer so that a person can), and signing times are the signer's clock.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from asn1crypto import cms
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import async_validate_detached_cms, validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from billing_desktop.domain.errors import InvalidInput

FIELD = "BillingDesktopBundle"


class CertificateSigner:
    """Signs with the certificate and key of a PKCS#12 file."""

    def __init__(self, pkcs12: Path, password: bytes) -> None:
        if not pkcs12.is_file():
            raise InvalidInput(f"{pkcs12}: no such certificate file")
        try:
            signer = signers.SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
                str(pkcs12), passphrase=password or None
            )
        except (ValueError, OSError) as exc:
            raise InvalidInput(f"{pkcs12}: cannot read the certificate ({exc})") from None
        if signer is None:
            raise InvalidInput(f"{pkcs12}: wrong password, or not a PKCS#12 file with a key")
        self._signer = signer

    @property
    def subject(self) -> str:
        return str(self._signer.signing_cert.subject.human_friendly)

    def sign_pdf(self, path: Path) -> None:
        data = path.read_bytes()
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD,
            subfilter=fields.SigSeedSubFilter.PADES,
            reason="Month-end archive",
        )
        out = io.BytesIO()
        signers.sign_pdf(writer, meta, signer=self._signer, output=out)
        path.write_bytes(out.getvalue())

    def sign_detached(self, data: bytes) -> bytes:
        signed = asyncio.run(self._signer.async_sign_general_data(data, "sha256", detached=True))
        return bytes(signed.dump())


@contextmanager
def _quiet_trust_checks() -> Iterator[None]:
    """pyHanko logs a traceback for every signer it cannot trace to a trust root (here: every
    one, as no trust list is given); the verdict is in the status, not in the log."""
    logger = logging.getLogger("pyhanko")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def verify_signatures(folder: Path, manifest: bytes, signature_name: str) -> list[str]:
    """Check the detached signature of the manifest (when there is one) and every PDF's
    embedded signatures; returns "<file>: signed by <subject>" lines, raises InvalidInput
    naming the first bad file."""
    with _quiet_trust_checks():
        return _verify(folder, manifest, signature_name)


def _verify(folder: Path, manifest: bytes, signature_name: str) -> list[str]:
    found: list[str] = []
    # No trust list: the signer is named for a person to judge (see the module docstring).
    context = ValidationContext(trust_roots=[], allow_fetching=False)
    detached = folder / signature_name
    if detached.exists():
        try:
            content = cms.ContentInfo.load(detached.read_bytes())
            status = asyncio.run(async_validate_detached_cms(manifest, content["content"], context))
        except Exception as exc:  # a damaged file fails to parse in many ways
            raise InvalidInput(f"{signature_name}: not a valid signature ({exc})") from None
        if not (status.intact and status.valid):
            raise InvalidInput(f"{signature_name}: the manifest's signature does not match it")
        found.append(f"{signature_name}: signed by {status.signing_cert.subject.human_friendly}")
    for path in sorted(folder.glob("*.pdf")):
        try:
            reader = PdfFileReader(io.BytesIO(path.read_bytes()))
            embedded = list(reader.embedded_signatures)
        except Exception as exc:
            raise InvalidInput(f"{path.name}: cannot be read ({exc})") from None
        for signature in embedded:
            pdf_status = validate_pdf_signature(signature, context)
            if not (pdf_status.intact and pdf_status.valid):
                raise InvalidInput(f"{path.name}: its signature does not match its content")
            if pdf_status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
                raise InvalidInput(f"{path.name}: changed after it was signed")
            subject = pdf_status.signing_cert.subject.human_friendly
            found.append(f"{path.name}: signed by {subject}")
    return found


__all__ = ["CertificateSigner", "verify_signatures"]
