"""The server's import endpoint goes through the same checks as the command line (issue 15 §6):
a refused file is a 422 with the one-line message naming file, line, column and reason, and
nothing of it is stored."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.server.conftest import Api

SMS = "id,type,campaign,sent_at\n"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "t-1,invite,Fall,0001-01-01T00:00:00+01:00",
            "sms.csv, line 2, column 'sent_at': '0001-01-01T00:00:00+01:00' is out of range "
            "(dates from 2000-01-01 to 2099-12-31 are accepted)",
        ),
        (
            "t-2,invite,Fa\0ll,2026-11-20T10:00:00Z",
            "sms.csv, line 2, column 'campaign': 'Fa\\x00ll' holds the control character U+0000 "
            "(NUL); values are one line of text",
        ),
        (
            "t\u200b-3,invite,Fall,2026-11-20T10:00:00Z",
            "sms.csv, line 2, column 'id': 't\\u200b-3' holds the invisible character U+200B "
            "(ZERO WIDTH SPACE)",
        ),
        (
            "t-4,invite,Fall,2016-11-20T10:00:00Z",
            "sms.csv, line 2, column 'sent_at': 2016-11-20 in America/New_York is before ",
        ),
        (
            f"t-5,invite,Fall,{date.today() + timedelta(days=40)}T10:00:00Z",
            "sms.csv, line 2, column 'sent_at': ",
        ),
    ],
)
def test_the_server_refuses_what_the_command_line_refuses(api: Api, row: str, message: str) -> None:
    with api.store() as uow:
        before = uow.sms.count()
    response = api.client.post(
        "/api/v1/imports/sms",
        content=(SMS + row + "\n").encode(),
        params={"file_name": "sms.csv"},
        headers=api.headers(
            "admin", **{"Content-Type": "text/csv", "Idempotency-Key": f"refused-{row[2]}"}
        )
        | {"If-Match": "*"},
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "ImportFailed"
    assert body["message"].startswith(message), body["message"]
    assert "\n" not in body["message"]
    with api.store() as uow:
        assert uow.sms.count() == before
