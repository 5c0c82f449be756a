"""The what-if's new changes (commit scope, tiers, an app's plan) and explain's records counted in
SQL give the same results through the HTTP API as on the store, SQLite and PostgreSQL alike."""

from __future__ import annotations

from billing_desktop.domain.model import CommitScope
from billing_desktop.domain.periods import Month
from billing_desktop.services import overview
from billing_desktop.services.explain import explain_charge
from billing_desktop.services.whatif import Changes, parse_plan, parse_tiers, what_if
from tests.contract.test_remote import TODAY, Pair, pair, same_instants

NOVEMBER = Month(2026, 11)

__all__ = ["pair"]  # the demo on each SQL backend, and a server in front of it


def test_what_if_and_explain_are_the_same_remotely(pair: Pair) -> None:
    actor = pair.local.read(overview.workspace, pair.admin).actor
    changes = Changes(
        commit_scope=CommitScope.NONE,
        tiers=(parse_tiers("alerts=100:0.02,500:0.015,0.01"),),
        plans=(parse_plan("app-voice-ivr=growth"), parse_plan("Sales Assistant=scale")),
    )
    for month in (NOVEMBER, NOVEMBER.plus(1)):
        local = pair.local.read(what_if, actor, month, changes, "invoiced", TODAY)
        remote = pair.remote.read(what_if, actor, month, changes, "invoiced", TODAY)
        assert remote == local
        assert len(local.plans) == 2 and local.invoice_projected > local.invoice_today
    for product in ("va-sessions", "voice-bot-sessions"):
        local_e = pair.local.read(explain_charge, actor, NOVEMBER, product, TODAY)
        remote_e = pair.remote.read(explain_charge, actor, NOVEMBER, product, TODAY)
        assert same_instants(remote_e) == same_instants(local_e)
        assert local_e.record_total == local_e.quantity
        assert 0 < len(local_e.conversations) <= local_e.record_count
    voice = pair.local.read(explain_charge, actor, NOVEMBER, "voice-bot-sessions", TODAY)
    assert {c.channel for c in voice.conversations} == {"voice"}
