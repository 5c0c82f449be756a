"""The month-end bundle (issue 23): ``bundle --month M --out DIR`` writes the closed month's
statement, invoices with their XML, call log, units report and MANIFEST.sha256; the same
month gives byte-identical files; ``bundle verify`` exits 0, or 2 naming the first bad file
(a changed byte, a missing or added file, a broken signature); signed bundles carry PAdES and
CMS signatures made with a certificate whose password is read without echo."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from billing_desktop.archive import bundle as bundle_module
from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import build_parser, main
from billing_desktop.domain.periods import Month
from billing_desktop.reports.facturx import check_xsd
from billing_desktop.services.archiving import bundle_plan
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.demo import build_demo
from billing_desktop.services.month_close import close_month
from billing_desktop.services.task_state import Cancelled, TaskState
from tests.integration.archival_checks import check_pdfa

TODAY = date(2026, 11, 21)
PASSWORD = "correct horse"
FILES = [
    "activity-2026-10.csv",
    "INV-000007.pdf",
    "INV-000007.xml",
    "call-log-2026-10.csv",
    "statement-2026-10.pdf",
    "units-2026-10.csv",
]


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = SqlStore(f"sqlite:///{tmp_path_factory.mktemp('bundle') / 'demo.db'}")
    build_demo(store, seed=7, today=TODAY)
    for month in (Month(2026, 9), Month(2026, 10)):
        with store() as uow:
            close_month(uow, resolve_actor(uow, None), month, today=TODAY)
            uow.commit()
    yield store.url
    store.dispose()


@pytest.fixture(scope="module")
def october(store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("made") / "2026-10"
    assert main(["--store", store_url, "bundle", "--month", "2026-10", "--out", str(out)]) == 0
    return out


def copy(folder: Path, to: Path) -> Path:
    to.mkdir()
    for path in folder.iterdir():
        (to / path.name).write_bytes(path.read_bytes())
    return to


def test_the_bundle_holds_the_months_documents_and_a_manifest(
    october: Path, tmp_path: Path
) -> None:
    assert sorted(p.name for p in october.iterdir()) == sorted([*FILES, "MANIFEST.sha256"])
    manifest = (october / "MANIFEST.sha256").read_text(encoding="utf-8").splitlines()
    assert manifest == [
        f"{hashlib.sha256((october / name).read_bytes()).hexdigest()}  {name}"
        for name in sorted(FILES)
    ]
    check_pdfa((october / "statement-2026-10.pdf").read_bytes(), "2b", tmp_path)
    for number in ("INV-000007",):
        xml = (october / f"{number}.xml").read_bytes()
        check_xsd(xml)
        pdf = check_pdfa((october / f"{number}.pdf").read_bytes(), "3b", tmp_path)
        assert pdf.attachments["factur-x.xml"].get_file().read_bytes() == xml
    assert (october / "call-log-2026-10.csv").read_bytes().count(b"\n") > 100
    assert b"Total" in (october / "units-2026-10.csv").read_bytes()


def test_the_same_month_gives_byte_identical_files(
    store_url: str, october: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    assert main(["--store", store_url, "bundle", "--month", "2026-10", "--out", str(again)]) == 0
    for path in october.iterdir():
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def test_verify_passes_a_bundle_and_names_the_first_bad_file(
    october: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bundle", "verify", str(october)]) == 0
    assert "6 files match MANIFEST.sha256" in capsys.readouterr().out

    changed = copy(october, tmp_path / "changed")
    target = changed / "statement-2026-10.pdf"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit of one byte
    target.write_bytes(bytes(data))
    assert main(["bundle", "verify", str(changed)]) == 2
    err = capsys.readouterr().err
    assert "statement-2026-10.pdf: its SHA-256 differs from the manifest" in err

    missing = copy(october, tmp_path / "missing")
    (missing / "INV-000007.xml").unlink()
    assert main(["bundle", "verify", str(missing)]) == 2
    assert "INV-000007.xml: missing" in capsys.readouterr().err

    added = copy(october, tmp_path / "added")
    (added / "extra.txt").write_text("not archived")
    assert main(["bundle", "verify", str(added)]) == 2
    assert "extra.txt: not in the manifest" in capsys.readouterr().err


def test_an_open_month_or_a_used_folder_is_refused(
    store_url: str, october: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "open"
    assert main(["--store", store_url, "bundle", "--month", "2026-11", "--out", str(out)]) == 2
    assert "2026-11 is not closed" in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert main(["--store", store_url, "bundle", "--month", "2026-10", "--out", str(october)]) == 2
    assert "must be new or empty" in capsys.readouterr().err


def test_a_bundle_holds_the_invoices_issued_in_the_month_and_the_months_own(
    store_url: str,
) -> None:
    store = SqlStore(store_url, create=False)
    with store() as uow:
        actor = resolve_actor(uow, None)
        # INV-000006 (August's) was issued on 1 September; October's invoice on 1 November.
        assert bundle_plan(uow, actor, Month(2026, 9)).invoices == ("INV-000006",)
        october = bundle_plan(uow, actor, Month(2026, 10))
    assert october.invoices == ("INV-000007",)
    assert october.as_of >= date(2026, 10, 31)
    store.dispose()


def test_a_cancelled_bundle_leaves_nothing(store_url: str, tmp_path: Path) -> None:
    store = SqlStore(store_url, create=False)
    with store() as uow:
        actor = resolve_actor(uow, None)
    state = TaskState(lambda progress: state.cancel() if progress.fraction else None)
    with pytest.raises(Cancelled):
        bundle_module.export_bundle(store, actor, Month(2026, 10), tmp_path / "b", state)
    assert list(tmp_path.iterdir()) == []
    store.dispose()


def self_signed(path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Accountant")])
    start = datetime.now(UTC) - timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(PASSWORD.encode())
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(b"test", key, certificate, None, encryption)
    )


def test_a_signed_bundle_verifies_and_a_broken_signature_is_named(
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    certificate = tmp_path / "me.p12"
    self_signed(certificate)
    prompts: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or PASSWORD)
    out = tmp_path / "signed"
    args = ["--store", store_url, "bundle", "--month", "2026-10", "--out", str(out)]
    assert main([*args, "--sign-cert", str(certificate)]) == 0
    assert prompts == ["Password of me.p12: "]
    assert (out / "MANIFEST.sha256.p7s").is_file()
    capsys.readouterr()
    assert main(["bundle", "verify", str(out)]) == 0
    report = capsys.readouterr().out
    assert report.count("signed by Common Name: Test Accountant") == 3  # 2 PDFs and the manifest

    # A PDF changed and its manifest line updated to match: its signature still tells.
    forged = copy(out, tmp_path / "forged")
    target = forged / "INV-000007.pdf"
    data = target.read_bytes().replace(b"INV-000007", b"INV-000008", 1)
    target.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    lines = [
        f"{digest}  INV-000007.pdf" if line.endswith("  INV-000007.pdf") else line
        for line in (forged / "MANIFEST.sha256").read_text().splitlines()
    ]
    (forged / "MANIFEST.sha256").write_text("\n".join(lines) + "\n")
    assert main(["bundle", "verify", str(forged)]) == 2
    assert "MANIFEST.sha256.p7s" in capsys.readouterr().err  # the manifest no longer matches
    (forged / "MANIFEST.sha256.p7s").unlink()
    assert main(["bundle", "verify", str(forged)]) == 2
    assert "INV-000007.pdf:" in capsys.readouterr().err

    # A wrong password: refused, nothing written.
    monkeypatch.setattr("getpass.getpass", lambda prompt: "wrong")
    again = tmp_path / "again"
    assert (
        main(
            [
                "--store",
                store_url,
                "bundle",
                "--month",
                "2026-10",
                "--out",
                str(again),
                "--sign-cert",
                str(certificate),
            ]
        )
        == 2
    )
    assert "me.p12" in capsys.readouterr().err and not again.exists()


def test_no_password_is_ever_an_argument() -> None:
    bundle = build_parser()._subparsers._group_actions[0].choices["bundle"]  # type: ignore[union-attr]
    options = {option for action in bundle._actions for option in action.option_strings}
    assert not any("pass" in option or "pin" in option for option in options)


def test_the_bundle_holds_the_months_credit_notes_and_its_activity(tmp_path: Path) -> None:
    """Credit notes issued in the month join as Factur-X type 381 (PDF and XML); the activity
    report of the month is there for an admin, and not for a user who may not see it."""
    from billing_desktop.services.credit_notes import issue_credit_note

    store = SqlStore(f"sqlite:///{tmp_path / 'cn.db'}")
    build_demo(store, seed=7, today=TODAY)
    with store() as uow:
        actor = resolve_actor(uow, None)
        issue_credit_note(
            uow, actor, "INV-000005", "2.50", "goodwill", now=datetime(2026, 10, 15, 9, tzinfo=UTC)
        )
        uow.commit()
    for month in (Month(2026, 9), Month(2026, 10)):
        with store() as uow:
            close_month(uow, resolve_actor(uow, None), month, today=TODAY)
            uow.commit()
    out = tmp_path / "2026-10"
    assert main(["--store", store.url, "bundle", "--month", "2026-10", "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert "CN-000001.pdf" in names and "CN-000001.xml" in names
    xml = (out / "CN-000001.xml").read_bytes()
    check_xsd(xml)
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml and b"INV-000005" in xml
    activity = (out / "activity-2026-10.csv").read_text(encoding="utf-8-sig")
    assert activity.splitlines()[0].startswith("When")
    assert "issue-credit-note" in activity or "credit" in activity.lower()
    assert main(["--store", store.url, "bundle", "verify", str(out)]) == 0
    # Someone who may not see the activity report gets a bundle without it.
    from billing_desktop.archive.bundle import Context, activity_items
    from billing_desktop.services.archiving import bundle_plan

    with store() as uow:
        viewer = resolve_actor(uow, _a_user_without_usage_edit(store))
        plan = bundle_plan(uow, resolve_actor(uow, None), Month(2026, 10))
    assert activity_items(Context(store, viewer, plan, TaskState())) == []
    store.dispose()


def _a_user_without_usage_edit(store: SqlStore) -> str:
    from billing_desktop.domain.access import Area, rights_for

    with store() as uow:
        for user in uow.users.all():
            rights = rights_for(user.role, user.access_groups)
            if not rights.can_edit(Area.USAGE):
                return user.id
    raise AssertionError("the demo has no such user")
