"""The client verifies the server's certificate by default (TLS is the deployment's job)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import StoreError, Unavailable
from billing_desktop.remote.client import HttpStore
from billing_desktop.services.units import units_overview
from tests.live_server import live_server, token_for


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_server(
    demo_store: SqlStore, authority: trustme.CA, tmp_path: Path
) -> Iterator[tuple[str, str]]:
    """A server with a certificate for 127.0.0.1 from a CA nobody trusts by default."""
    cert = authority.issue_cert("127.0.0.1")
    certfile, keyfile = tmp_path / "server.pem", tmp_path / "server.key"
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    for blob in cert.cert_chain_pems[1:]:
        blob.write_to_path(str(certfile), append=True)
    cert.private_key_pem.write_to_path(str(keyfile))
    with live_server(demo_store, certfile, keyfile) as url:
        yield url, token_for(demo_store, "u001")


def test_a_certificate_the_client_cannot_verify_is_refused(https_server: tuple[str, str]) -> None:
    url, token = https_server
    assert url.startswith("https://127.0.0.1:")
    store = HttpStore(url, token, backoff=0.001)
    with pytest.raises(StoreError) as raised:
        store.read(units_overview, None)
    assert not isinstance(raised.value, Unavailable)  # not something a retry would fix
    message = str(raised.value)
    assert "certificate could not be verified" in message
    assert "127.0.0.1" in message
    assert token not in message
    store.close()


def test_a_trusted_certificate_works(https_server: tuple[str, str], authority: trustme.CA) -> None:
    url, token = https_server
    context = ssl.create_default_context()
    authority.configure_trust(context)
    store = HttpStore(url, token, verify=context)
    overview = store.read(units_overview, None)
    assert {row.name for row in overview.rows} >= {"Sales", "Support"}
    store.close()


def test_plain_http_to_a_tls_server_fails_cleanly(https_server: tuple[str, str]) -> None:
    url, token = https_server
    store = HttpStore(url.replace("https://", "http://"), token, retries=1, backoff=0.001)
    with pytest.raises(StoreError):
        store.read(units_overview, None)
    store.close()
