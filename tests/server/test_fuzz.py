"""API fuzzing: schemathesis generates requests from the served OpenAPI document and runs
every check it has against the live server (signed in as an admin, who may call everything).

Writes run against this module's own copy of the demo workspace. The examples are few per
operation and derandomized, so the run is short and the same every time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from billing_desktop.server.app import create_app
from tests.live_server import live_server, token_for
from tests.server.conftest import UNLIMITED_SIGN_INS, Template, copy_store

# Statuses a schema-valid request may still get, besides schemathesis' defaults for valid
# data (2xx, 401, 403, 404, 409...): the OpenAPI document describes the shape of a request,
# not the business rules the services check (a month that has not ended yet, an amount that
# must be positive), which refuse with 422; and a generated If-Match names a random version,
# which is stale: 412.
BUSINESS_REFUSALS = ["412", "422"]
# schemathesis' statuses for a refused schema-violating request.
NEGATIVE_REJECTIONS = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428"]


@pytest.fixture(scope="module")
def fuzzed_server(
    demo_template: Template, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """A live server on this module's copy of the demo, and an admin's token."""
    store = copy_store(demo_template, tmp_path_factory.mktemp("fuzz"))
    token = token_for(store, demo_template.users["admin"])
    # schemathesis sends every operation without a token and with a wrong one (401 each):
    # the failed sign-in limit (tested on its own) would answer those 429 after ten.
    with live_server(None, app=create_app(store, UNLIMITED_SIGN_INS)) as url:
        yield url, token
    store.dispose()


@pytest.fixture(scope="module")
def fuzzed_api(fuzzed_server: tuple[str, str]) -> Any:
    url, _token = fuzzed_server
    config = schemathesis.Config.from_dict(
        {
            "base-url": url,
            "checks": {
                # A write without If-Match is refused with 428 Precondition Required
                # (RFC 6585 made it for exactly this), besides schemathesis' usual 4xx.
                "missing_required_header": {
                    "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]
                },
                "positive_data_acceptance": {
                    "expected-statuses": [
                        "2xx",
                        "401",
                        "403",
                        "404",
                        "409",
                        *BUSINESS_REFUSALS,
                    ]
                },
            },
            "operations": [
                {
                    # The CSV body of an import has no schema beyond "text": a "schema-
                    # violating" body is just another text, which the server reads only
                    # after checking If-Match (RFC 9110 §13.2.1), so a stale version gets 412.
                    "include-path": "/api/v1/imports/{kind}",
                    "checks": {
                        "negative_data_rejection": {
                            "expected-statuses": [*NEGATIVE_REJECTIONS, "412"]
                        }
                    },
                }
            ],
        }
    )
    document = httpx.get(f"{url}/openapi.json").json()
    hoist_inline_tuples(document)
    return schemathesis.openapi.from_dict(document, config=config)


def hoist_inline_tuples(document: dict[str, Any]) -> None:
    """Move every tuple schema nested inside another schema into a component of its own.

    A workaround for schemathesis 4.32: an inline tuple (``prefixItems``) inside an array of
    a *response* schema (``tuple[tuple[str, str], ...]``, which pydantic writes inline) is
    rewritten to the draft-4 ``items: [...]`` form and then checked as draft 2020-12, which
    makes the document "invalid" for that response. The same tuple behind a ``$ref`` is
    validated correctly. The served document is valid OpenAPI 3.1 and stays as it is.
    """
    schemas = document["components"]["schemas"]
    hoisted = 0

    def hoist(node: Any) -> Any:
        nonlocal hoisted
        if isinstance(node, list):
            return [hoist(item) for item in node]
        if not isinstance(node, dict):
            return node
        inner = {key: hoist(value) for key, value in node.items()}
        if "prefixItems" not in inner:
            return inner
        hoisted += 1
        name = f"HoistedTuple{hoisted}"
        schemas[name] = inner
        return {"$ref": f"#/components/schemas/{name}"}

    for name in list(schemas):
        schemas[name] = {key: hoist(value) for key, value in schemas[name].items()}
    document["paths"] = hoist(document["paths"])


schema = schemathesis.pytest.from_fixture("fuzzed_api")


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_the_api_holds_to_its_document(case: Any, fuzzed_server: tuple[str, str]) -> None:
    # The token given here (not in the config) counts as the real credentials: schemathesis
    # then also sends each request without it and with a wrong one, and expects 401.
    _url, token = fuzzed_server
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
