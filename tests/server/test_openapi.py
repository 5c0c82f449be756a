"""The OpenAPI document: served by the server, committed in the repository, and current."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from billing_desktop.api.conditional import CONDITIONAL_READS
from billing_desktop.api.operations import OPERATIONS
from billing_desktop.server import openapi
from tests.server.conftest import Api


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return openapi.generate()


def test_the_committed_document_is_current(generated: dict[str, Any]) -> None:
    """After an API change: python -m billing_desktop.server.openapi, and commit the file."""
    committed = openapi.DOCUMENT.read_text(encoding="utf-8")
    assert committed == openapi.render(generated)


def test_the_server_serves_the_same_document(api: Api) -> None:
    response = api.client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == json.loads(openapi.DOCUMENT.read_text(encoding="utf-8"))


def test_the_document_describes_every_operation_and_its_safeguards(
    generated: dict[str, Any],
) -> None:
    document = generated
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for name, operation in OPERATIONS.items():
        module, function = name.split(".", 1)
        post = document["paths"][f"/api/v1/{module}/{function}"]["post"]
        assert post["security"] == [{"HTTPBearer": []}], name
        assert "ETag" in post["responses"]["200"]["headers"]
        for status in ("400", "401", "403", "422", "503"):
            error = post["responses"][status]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorBody"}, (name, status)
        headers = {p["name"]: p for p in post.get("parameters", []) if p["in"] == "header"}
        if operation.writes:
            assert {"412", "428"} <= set(post["responses"]), name
            assert headers["Idempotency-Key"]["required"] is True
            assert headers["If-Match"]["required"] is True
            assert f'"{operation.resource}' in headers["If-Match"]["schema"]["pattern"]
        elif name in CONDITIONAL_READS:  # If-None-Match, answered 304
            assert set(headers) == {"If-None-Match"}, name
            assert headers["If-None-Match"]["required"] is False
            assert "ETag" in post["responses"]["304"]["headers"]
        else:
            assert headers == {}, name


def test_check_mode_reports_a_stale_document(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    generated: dict[str, Any],
) -> None:
    stale = tmp_path / "openapi.json"
    stale.write_text("{}\n", encoding="utf-8")
    monkeypatch.setattr(openapi, "DOCUMENT", stale)
    monkeypatch.setattr(openapi, "generate", lambda: generated)
    assert openapi.main(["--check"]) == 1
    assert "stale" in capsys.readouterr().err
    assert openapi.main([]) == 0
    assert openapi.main(["--check"]) == 0
    assert stale.read_text(encoding="utf-8") == openapi.render(generated)
