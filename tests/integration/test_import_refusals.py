"""Input an import must refuse (issue 15 §6): impossible dates, invisible and control characters,
a byte order mark inside the file, machine-dependent time zones, look-alike ids, numbers the store
cannot hold, and records dated outside the account's history. Each is refused on the command line
with exit 2 and one line naming the file, the line, the column and the reason, and the store is
left exactly as it was."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain.errors import ImportFailed
from billing_desktop.domain.periods import Month
from billing_desktop.services import csv_parsing as p
from billing_desktop.services.imports import date_bounds, first_month, import_file
from tests.integration.test_imports import CASES, _seed

CALLS = CASES["calls"].header
GOOD_CALL = CASES["calls"].rows[0]  # c1, user u2, 2026-03-29T00:30:15+01:00
TODAY = date(2026, 11, 21)


def _call(
    id: str = "c9",
    campaign: str = "Spring",
    started_at: str = "2026-03-29T01:00:00Z",
    seconds: str = "60",
    trigger_source: str = "Email",
) -> str:
    return f"{id},live,recruiter,{trigger_source},,{campaign},,,{started_at},{seconds}"


def _content(store_path: Path) -> str:
    """Everything the store holds, as SQL text: equal before and after means nothing written."""
    with sqlite3.connect(store_path) as connection:
        return hashlib.sha256("\n".join(connection.iterdump()).encode()).hexdigest()


def _refused(store_path: Path, kind: str, path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Run the command line import, check it refused with one line and wrote nothing; the
    line without the program's prefix."""
    before = _content(store_path)
    assert main(["--store", str(store_path), "import", kind, str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith("billing-desktop: error: ")
    assert _content(store_path) == before
    return line.removeprefix("billing-desktop: error: ")


def _file(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8"))
    return path


@pytest.fixture
def workspace(store: SqlStore) -> SqlStore:
    _seed(store, ("account", "users", "products", "plans", "apps"))
    return store


# --- one bad cell each: file, line, column and reason -------------------------------------------

YEARS = "is out of range (dates from 2000-01-01 to 2099-12-31 are accepted)"
NUL = "holds the control character U+0000 (NUL); values are one line of text"

# (kind, header, bad row, column, the message after "column 'x': ")
# fmt: off
BAD_CELLS = {
    "call-in-year-1": ("calls", CALLS, _call(started_at="0001-01-01T00:00:00Z"), "started_at",
                       f"'0001-01-01T00:00:00Z' {YEARS}"),
    # Converting this one to UTC overflowed (a traceback before).
    "call-in-year-1-with-offset": ("calls", CALLS, _call(started_at="0001-01-01T00:00:00+01:00"),
                                   "started_at", f"'0001-01-01T00:00:00+01:00' {YEARS}"),
    "call-in-year-9999": ("calls", CALLS, _call(started_at="9999-12-31T23:59:59Z"), "started_at",
                          f"'9999-12-31T23:59:59Z' {YEARS}"),
    "call-in-year-9999-with-offset": ("calls", CALLS,
                                      _call(started_at="9999-12-31T23:59:59-05:00"), "started_at",
                                      f"'9999-12-31T23:59:59-05:00' {YEARS}"),
    "seat-in-year-1": ("agents", "user_id,started_on,ended_on", "u1,0001-01-01,", "started_on",
                       f"'0001-01-01' {YEARS}"),
    "seat-ending-in-year-9999": ("agents", "user_id,started_on,ended_on",
                                 "u1,2026-01-01,9999-12-31", "ended_on", f"'9999-12-31' {YEARS}"),
    "snapshot-in-year-9999": ("storage", "day,quantity", "9999-12-31,1", "day",
                              f"'9999-12-31' {YEARS}"),
    "commit-in-1999": ("commits", "product,amount,frequency,started_on", ",10,monthly,1999-12-31",
                       "started_on", f"'1999-12-31' {YEARS}"),
    "nul-in-a-campaign": ("calls", CALLS, _call(campaign="Spr\0ing"), "campaign",
                          f"'Spr\\x00ing' {NUL}"),
    "nul-in-an-id": ("calls", CALLS, _call(id="c\0009"), "id", f"'c\\x009' {NUL}"),
    "nul-in-a-number": ("calls", CALLS, _call(seconds="6\0"), "duration_seconds",
                        f"'6\\x00' {NUL}"),
    "tab-in-a-name": ("users", CASES["users"].header, "u7,Ann\tLee,ann@example.com,agent,,", "name",
                      "'Ann\\tLee' holds the control character U+0009 (TAB); values are one line "
                      "of text"),
    "escape-in-a-name": ("users", CASES["users"].header, "u7,\x1b[31mAnn,ann@example.com,agent,,",
                         "name", "'\\x1b[31mAnn' holds the control character U+001B (ESCAPE); "
                         "values are one line of text"),
    "bidi-override-in-a-campaign": ("calls", CALLS, _call(campaign="Spring\u202egnirpS"),
                                    "campaign", "'Spring\\u202egnirpS' holds the bidi control "
                                    "U+202E (RIGHT-TO-LEFT OVERRIDE), which changes the order text "
                                    "is shown in"),
    "bom-inside-a-row": ("calls", CALLS, "\ufeff" + _call(), "id",
                         "'\\ufeffc9' holds a byte order mark (U+FEFF), which may only start the "
                         "file (were two files joined?)"),
    "localtime": ("account", CASES["account"].header, "Acme,USD,localtime,pro,invoice,product",
                  "timezone", "'localtime' depends on the machine, not an IANA time zone: name "
                  "the zone (e.g. Europe/Berlin)"),
    "posixrules": ("account", CASES["account"].header, "Acme,USD,posixrules,pro,invoice,product",
                   "timezone", "'posixrules' depends on the machine, not an IANA time zone: name "
                   "the zone (e.g. Europe/Berlin)"),
    "factory": ("account", CASES["account"].header, "Acme,USD,Factory,pro,invoice,product",
                "timezone", "'Factory' depends on the machine, not an IANA time zone: name the "
                "zone (e.g. Europe/Berlin)"),
    "right-zone": ("account", CASES["account"].header,
                   "Acme,USD,right/Europe/Berlin,pro,invoice,product", "timezone",
                   "'right/Europe/Berlin' depends on the machine, not an IANA time zone: name the "
                   "zone (e.g. Europe/Berlin)"),
    "zero-width-space-in-an-id": ("calls", CALLS, _call(id="c1\u200b"), "id",
                                  "'c1\\u200b' holds the invisible character U+200B (ZERO WIDTH "
                                  "SPACE)"),
    "word-joiner-in-a-user-id": ("users", CASES["users"].header,
                                 "\u2060u1,Ann,ann@example.com,agent,,", "id",
                                 "'\\u2060u1' holds the invisible character U+2060 (WORD JOINER)"),
    "left-to-right-mark-in-an-app": ("conversations", CASES["conversations"].header,
                                     "cv9,bot1\u200e,chat,2026-10-01T09:00:00Z,"
                                     "2026-10-01T09:10:00Z,0", "app",
                                     "'bot1\\u200e' holds the invisible character U+200E "
                                     "(LEFT-TO-RIGHT MARK)"),
    "cyrillic-look-alike-id": ("calls", CALLS, _call(id="с1"), "id",
                               "'с1' is written in Cyrillic letters that all look like Latin ones "
                               "('с' looks like 'c'); write it in Latin letters"),
    "mixed-script-id": ("calls", CALLS, _call(id="cаll-7"), "id",
                        "'cаll-7' mixes scripts: Cyrillic ('а') and Latin ('c'); write it in one "
                        "script"),
    "greek-omicron-in-a-product-code": ("commits", "product,amount,frequency,started_on",
                                        "V\u039fICE,10,monthly,2026-01-01", "product",
                                        "'VΟICE' mixes scripts: Greek ('Ο') and Latin ('V'); write "
                                        "it in one script"),
    "en-dash-in-a-trigger-source": ("calls", CALLS, _call(trigger_source="e–mail"),
                                    "trigger_source", "'e–mail' holds U+2013 (EN DASH), which "
                                    "looks like '-'; write '-'"),
    "call-seconds": ("calls", CALLS, _call(seconds="99999999999999999999"), "duration_seconds",
                     "'99999999999999999999' is too large (at most 604800 seconds, 7 days)"),
    "call-of-eight-days": ("calls", CALLS, _call(seconds="691200"), "duration_seconds",
                           "'691200' is too large (at most 604800 seconds, 7 days)"),
    # A store error ("Python int too large to convert to SQLite INTEGER") before.
    "recording-minutes": ("recordings", "id,campaign,minutes,recorded_at",
                          "r9,Spring,99999999999999999999,2026-10-01T09:00:00Z", "minutes",
                          "'99999999999999999999' is too large (at most 10,080)"),
    "storage-quantity": ("storage", "day,quantity", "2026-10-01,99999999999999999999", "quantity",
                         "'99999999999999999999' is too large (at most 1,000,000,000,000)"),
    "unit-price": ("rate-card", CASES["rate-card"].header,
                   "V2,V,minute,99999999999999999999,0,true,sum,calls,active", "unit_price",
                   "'99999999999999999999' is too large (at most 1,000,000)"),
    "free-units": ("rate-card", CASES["rate-card"].header,
                   "V2,V,minute,0.01,99999999999999999999,true,sum,calls,active",
                   "free_units_per_agent",
                   "'99999999999999999999' is too large (at most 1,000,000,000,000)"),
    "tier-threshold": ("rate-card", CASES["rate-card"].header + ",tiers",
                       "V2,V,minute,0.01,0,true,sum,calls,active,99999999999999999999:0.01",
                       "tiers", "tier '99999999999999999999:0.01': '99999999999999999999' is too "
                       "large (at most 1,000,000,000,000)"),
    "commit-amount": ("commits", "product,amount,frequency,started_on",
                      ",99999999999999999999,monthly,2026-01-01", "amount",
                      "99999999999999999999 is out of range (at most 999,999,999,999,999 in size)"),
    "app-balance": ("apps", CASES["apps"].header,
                    "bot9,Nine,u1,basic,active,-99999999999999999999,,", "balance",
                    "-99999999999999999999 is out of range (at most 999,999,999,999,999 in size)"),
    "plan-sessions": ("plans", CASES["plans"].header, "max,Max,9,99999999999999999999,3",
                      "included_sessions",
                      "'99999999999999999999' is too large (at most 2147483647)"),
}
# fmt: on


@pytest.mark.parametrize("case", list(BAD_CELLS))
def test_a_bad_cell_is_refused_with_file_line_column_and_reason(
    workspace: SqlStore,
    store_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
) -> None:
    kind, header, row, column, message = BAD_CELLS[case]
    if kind == "account":
        with workspace() as uow:  # an account file goes into a store without one
            uow.connection.exec_driver_sql("DELETE FROM account")
            uow.commit()
    # A good row first where it clashes with nothing seeded and moves no date bound.
    good = CASES[kind].rows[:1] if kind in ("calls", "conversations", "recordings") else ()
    path = _file(tmp_path, f"{kind}.csv", "\n".join([header, *good, row]) + "\n")
    line = len(good) + 2
    assert _refused(store_path, kind, path, capsys) == (
        f"{kind}.csv, line {line}, column '{column}': {message}"
    )


def test_two_files_joined_are_refused_at_the_second_bom(
    workspace: SqlStore, store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = "\ufeff" + CALLS + "\r\n" + GOOD_CALL + "\r\n"
    two = "\ufeff" + CALLS + "\r\n" + _call() + "\r\n"
    path = _file(tmp_path, "calls.csv", one + two)  # cat one.csv two.csv
    line = _refused(store_path, "calls", path, capsys)
    assert line.startswith(
        "calls.csv, line 3, column 'id': '\\ufeffid' holds a byte order mark (U+FEFF), which may "
        "only start the file (were two files joined?) (and "
    )
    # At the very start it is fine (Excel writes one).
    path = _file(tmp_path, "calls.csv", one)
    assert main(["--store", str(store_path), "import", "calls", str(path)]) == 0


def test_a_quoted_line_break_in_a_name_is_refused(
    workspace: SqlStore, store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = _call(campaign='"Spr\ning"')  # a quoted cell over two lines
    path = _file(tmp_path, "calls.csv", f"{CALLS}\n{row}\n")
    assert _refused(store_path, "calls", path, capsys) == (
        "calls.csv, line 2, column 'campaign': 'Spr\\ning' holds the control character U+000A "
        "(LINE FEED); values are one line of text"
    )


# --- ids that look the same are the same id, or refused -----------------------------------------


def test_an_id_in_full_width_letters_is_the_stored_id_not_a_second_call(
    workspace: SqlStore, tmp_path: Path
) -> None:
    import_file(workspace, "calls", _file(tmp_path, "calls.csv", f"{CALLS}\n{GOOD_CALL}\n"))
    full_width = GOOD_CALL.replace("c1,", "ｃ１,", 1)
    report = import_file(
        workspace, "calls", _file(tmp_path, "again.csv", f"{CALLS}\n{full_width}\n")
    )
    assert (report.added, report.skipped) == (0, 1)
    changed = full_width.replace(",61", ",62")
    with pytest.raises(ImportFailed) as raised:
        import_file(workspace, "calls", _file(tmp_path, "again.csv", f"{CALLS}\n{changed}\n"))
    assert str(raised.value).startswith(
        "again.csv, line 2, column 'duration_seconds': call 'c1' is already stored with '61'"
    )
    with workspace() as uow:
        assert uow.calls.count() == 1


def test_ids_are_nfc_and_nfkc_normalised_and_other_scripts_are_welcome(
    workspace: SqlStore, tmp_path: Path
) -> None:
    decomposed = "cafe\u0301-1"  # e + combining acute
    rows = [
        _call(id=decomposed, campaign="Cafe\u0301"),
        _call(id="Москва-1"),  # Cyrillic, but not only letters that look Latin
        _call(id="顧客-1"),
        _call(id="ひらがなカタカナ漢字"),  # Japanese mixes three scripts
        _call(id="Straße-1"),
    ]
    report = import_file(
        workspace, "calls", _file(tmp_path, "calls.csv", "\n".join([CALLS, *rows]))
    )
    assert report.added == 5
    with workspace() as uow:
        stored = uow.calls.get_many(["caf\u00e9-1"])
    assert stored["caf\u00e9-1"].campaign == "Caf\u00e9"  # names are NFC too
    again = _call(id="caf\u00e9-1", campaign="Caf\u00e9")  # composed this time: the same call
    report = import_file(workspace, "calls", _file(tmp_path, "again.csv", f"{CALLS}\n{again}\n"))
    assert (report.added, report.skipped) == (0, 1)


def test_names_keep_the_invisible_characters_languages_need(
    workspace: SqlStore, tmp_path: Path
) -> None:
    # Persian writes a zero-width non-joiner inside words; emoji join with a zero-width joiner;
    # a no-break space is ordinary in names. Only ids refuse them.
    names = ["می\u200cخواهم", "Team \U0001f469\u200d\U0001f4bb", "Acme\u00a0GmbH"]
    rows = [_call(id=f"n{i}", campaign=name) for i, name in enumerate(names)]
    assert (
        import_file(
            workspace, "calls", _file(tmp_path, "calls.csv", "\n".join([CALLS, *rows]))
        ).added
        == 3
    )


# --- the dates a record may have ----------------------------------------------------------------


def _failure(store: SqlStore, kind: str, path: Path, today: date = TODAY) -> str:
    with pytest.raises(ImportFailed) as raised:
        import_file(store, kind, path, today=today)
    return str(raised.value)


def test_records_may_be_dated_up_to_today_plus_one_day(workspace: SqlStore, tmp_path: Path) -> None:
    # Today is 2026-11-21 in Europe/Berlin; tomorrow ends at 2026-11-22T23:00:00Z.
    ok = _call(id="late-ok", started_at="2026-11-22T22:59:59Z")
    path = _file(tmp_path, "calls.csv", f"{CALLS}\n{ok}\n")
    assert import_file(workspace, "calls", path, today=TODAY).added == 1
    later = _call(id="too-late", started_at="2026-11-22T23:00:00Z")
    path = _file(tmp_path, "calls.csv", f"{CALLS}\n{later}\n")
    assert _failure(workspace, "calls", path) == (
        "calls.csv, line 2, column 'started_at': 2026-11-23 in Europe/Berlin is after 2026-11-22 "
        "(today + 1 day): records cannot be dated in the future"
    )
    # The same file is fine a day later: today decides, not a fixed date.
    assert import_file(workspace, "calls", path, today=TODAY + timedelta(days=1)).added == 1


def test_storage_snapshots_may_be_dated_up_to_today_plus_one_day(
    workspace: SqlStore, tmp_path: Path
) -> None:
    path = _file(tmp_path, "storage.csv", "day,quantity\n2026-11-22,1\n")
    assert import_file(workspace, "storage", path, today=TODAY).added == 1
    path = _file(tmp_path, "storage.csv", "day,quantity\n2026-11-23,1\n")
    assert _failure(workspace, "storage", path) == (
        "storage.csv, line 2, column 'day': 2026-11-23 is after 2026-11-22 (today + 1 day): "
        "records cannot be dated in the future"
    )


def test_commits_and_seats_may_start_in_the_future(workspace: SqlStore, tmp_path: Path) -> None:
    path = _file(
        tmp_path, "commits.csv", "product,amount,frequency,started_on\n,10,yearly,2027-06-01\n"
    )
    assert import_file(workspace, "commits", path, today=TODAY).added == 1
    path = _file(tmp_path, "agents.csv", "user_id,started_on,ended_on\nu1,2027-01-01,\n")
    assert import_file(workspace, "agents", path, today=TODAY).added == 1
    # Signed for later, they do not say where the history starts: this year's usage is welcome.
    with workspace() as uow:
        assert first_month(uow, TODAY) is None
    path = _file(tmp_path, "calls.csv", f"{CALLS}\n{_call(started_at='2026-02-01T09:00:00Z')}\n")
    assert import_file(workspace, "calls", path, today=TODAY).added == 1


def test_a_future_record_is_refused_on_the_command_line(
    workspace: SqlStore, store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command line dates by the real clock; a month ahead is in the future on any day.
    ahead = date.today() + timedelta(days=31)
    path = _file(
        tmp_path, "sms.csv", f"id,type,campaign,sent_at\ns9,invite,Fall,{ahead}T12:00:00Z\n"
    )
    line = _refused(store_path, "sms", path, capsys)
    assert line.startswith(f"sms.csv, line 2, column 'sent_at': {ahead} in Europe/Berlin is after ")
    assert line.endswith(" (today + 1 day): records cannot be dated in the future")


def test_records_may_start_a_month_before_the_first_month(
    workspace: SqlStore, tmp_path: Path
) -> None:
    commit = _file(
        tmp_path, "commits.csv", "product,amount,frequency,started_on\n,10,monthly,2026-01-15\n"
    )
    import_file(workspace, "commits", commit, today=TODAY)
    with workspace() as uow:
        assert first_month(uow, TODAY) == Month(2026, 1)
        assert date_bounds(uow, TODAY).earliest == date(2025, 12, 1)
    early = _call(id="too-early", started_at="2025-11-30T22:59:59Z")
    path = _file(tmp_path, "calls.csv", f"{CALLS}\n{early}\n")
    assert _failure(workspace, "calls", path) == (
        "calls.csv, line 2, column 'started_at': 2025-11-30 in Europe/Berlin is before "
        "2025-12-01: records may start at most a month before the account's first month, 2026-01 "
        "(its earliest commit, agent seat, usage record or storage snapshot)"
    )
    # 2025-11-30T23:30Z is already 2025-12-01 in Berlin: the account's day decides.
    ok = _call(id="early-ok", started_at="2025-11-30T23:30:00Z")
    path = _file(tmp_path, "calls.csv", f"{CALLS}\n{ok}\n")
    assert import_file(workspace, "calls", path, today=TODAY).added == 1
    # Now the history starts in 2025-12, and the next import may reach a month further back.
    with workspace() as uow:
        assert first_month(uow, TODAY) == Month(2025, 12)
    path = _file(tmp_path, "calls.csv", f"{CALLS}\n{early}\n")
    assert import_file(workspace, "calls", path, today=TODAY).added == 1


@pytest.mark.parametrize(
    ("kind", "header", "ok", "early", "column"),
    [
        ("agents", "user_id,started_on,ended_on", "u1,2025-12-01,", "u2,2025-11-30,", "started_on"),
        ("commits", "product,amount,frequency,started_on", ",5,monthly,2025-12-01",
         "VOICE,5,monthly,2025-11-30", "started_on"),
        ("storage", "day,quantity", "2025-12-01,1", "2025-11-30,1", "day"),
        ("sms", "id,type,campaign,sent_at", "s1,invite,Fall,2025-11-30T23:00:00Z",
         "s2,invite,Fall,2025-11-30T22:00:00Z", "sent_at"),
    ],
)  # fmt: skip
def test_every_dated_kind_keeps_the_lower_bound(
    workspace: SqlStore, tmp_path: Path, kind: str, header: str, ok: str, early: str, column: str
) -> None:
    seat = _file(tmp_path, "agents.csv", "user_id,started_on,ended_on\nu1,2026-01-31,2026-03-31\n")
    import_file(workspace, "agents", seat, today=TODAY)  # the first month is 2026-01
    message = _failure(workspace, kind, _file(tmp_path, f"{kind}.csv", f"{header}\n{early}\n"))
    assert message.startswith(f"{kind}.csv, line 2, column '{column}': 2025-11-30")
    assert (
        " is before 2025-12-01: records may start at most a month before the account's " in message
    )
    path = _file(tmp_path, f"{kind}.csv", f"{header}\n{ok}\n")
    assert import_file(workspace, kind, path, today=TODAY).added == 1


def test_the_first_month_is_the_earliest_commit_seat_record_or_snapshot(
    workspace: SqlStore, tmp_path: Path
) -> None:
    with workspace() as uow:
        assert first_month(uow, TODAY) is None
        assert date_bounds(uow, TODAY).earliest is None  # an empty store: only the years bound
    calls = _file(
        tmp_path, "calls.csv", f"{CALLS}\n{_call(started_at='2000-01-01T00:00:00+01:00')}\n"
    )
    assert import_file(workspace, "calls", calls, today=TODAY).added == 1
    with workspace() as uow:
        assert first_month(uow, TODAY) == Month(2000, 1)
    storage = _file(tmp_path, "storage.csv", "day,quantity\n1999-12-31,1\n")
    assert "'1999-12-31' is out of range" in _failure(workspace, "storage", storage)
    later = [
        ("storage", "day,quantity\n2026-03-02,1\n"),
        ("agents", "user_id,started_on,ended_on\nu1,2026-05-01,\n"),
        ("commits", "product,amount,frequency,started_on\n,5,monthly,2026-04-01\n"),
    ]
    for kind, content in later:  # none of them is earlier: the first month stays
        import_file(workspace, kind, _file(tmp_path, f"{kind}.csv", content), today=TODAY)
    with workspace() as uow:
        assert first_month(uow, TODAY) == Month(2000, 1)


def test_a_stored_record_imported_again_is_skipped_whatever_the_bounds(
    workspace: SqlStore, tmp_path: Path
) -> None:
    path = _file(tmp_path, "calls.csv", f"{CALLS}\n{_call(started_at='2026-11-22T12:00:00Z')}\n")
    assert import_file(workspace, "calls", path, today=TODAY).added == 1
    # Imported again on a day the record would be "in the future" (a clock set back): skipped.
    report = import_file(workspace, "calls", path, today=TODAY - timedelta(days=5))
    assert (report.added, report.skipped) == (0, 1)


# --- the limits, as the parsers state them ------------------------------------------------------


def test_the_limits_are_what_the_readme_says() -> None:
    assert (p.FIRST_YEAR, p.LAST_YEAR) == (2000, 2099)
    limits = (p.MAX_CALL_SECONDS, p.MAX_RECORDING_MINUTES, p.MAX_QUANTITY, p.MAX_UNIT_PRICE)
    assert limits == (604_800, 10_080, 10**12, 10**6)
    assert p.whole_number("604800") == 604_800
    assert p.seconds_of_a_call("604800") == 604_800
    assert p.quantity("10080") == Decimal(10_080)
    assert p.day("2000-01-01") == date(2000, 1, 1) and p.day("2099-12-31") == date(2099, 12, 31)
    assert p.timezone_name("Etc/GMT-2") == "Etc/GMT-2" and p.timezone_name("UTC") == "UTC"
    # The rollups keep millionths in 64 bits: a week of minutes leaves room for 900 million
    # such records in one hour.
    assert p.MAX_RECORDING_MINUTES * 10**6 * 900_000_000 < 2**63
