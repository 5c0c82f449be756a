"""The engine's own words as the GUI shows them, in the GUI's language: units of measure,
commit frequencies, the auto-recharge setting. The services keep them in English for the
command line, the API and the files; the views translate them here, in one place."""

from __future__ import annotations

from decimal import Decimal

from billing_desktop.domain.model import Frequency
from billing_desktop.services.credits import AutoRecharge
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.locale_format import format_money, format_number


def quantity_with_unit(quantity: Decimal | int, unit: str) -> str:
    """ "1,490.52 minutes", "1 agent" (a quantity of exactly 1 takes the singular)."""
    count = 1 if quantity == 1 else 2
    shown = format_number(quantity)
    forms = {
        "minute": lambda: ntr("{quantity} minute", "{quantity} minutes", count),
        "session": lambda: ntr("{quantity} session", "{quantity} sessions", count),
        "message": lambda: ntr("{quantity} message", "{quantity} messages", count),
        "call": lambda: ntr("{quantity} call", "{quantity} calls", count),
        "agent": lambda: ntr("{quantity} agent", "{quantity} agents", count),
        "number": lambda: ntr("{quantity} number", "{quantity} numbers", count),
    }.get(unit)
    if forms is None:  # a unit the rate card brings that the GUI does not know: as given
        return f"{shown} {unit}"
    return forms().format(quantity=shown)


def unit_plural(unit: str) -> str:
    """The unit's plural alone ("free minutes left")."""
    return {
        "minute": tr("minutes"),
        "session": tr("sessions"),
        "message": tr("messages"),
        "call": tr("calls"),
        "agent": tr("agents"),
        "number": tr("numbers"),
    }.get(unit, unit)


def frequency_word(frequency: Frequency) -> str:
    """How often a commit recharges: "monthly", "quarterly", "yearly"."""
    return {
        Frequency.MONTHLY: tr("monthly"),
        Frequency.QUARTERLY: tr("quarterly"),
        Frequency.YEARLY: tr("yearly"),
    }[frequency]


def auto_recharge_text(setting: AutoRecharge, currency: str) -> str:
    """The auto-recharge setting in a sentence (``AutoRecharge.describe`` for the GUI)."""
    if not setting.enabled:
        return tr("Off")
    return tr("On: adds {amount} when the balance is below {threshold}").format(
        amount=format_money(setting.amount, currency),
        threshold=format_money(setting.threshold, currency),
    )


def store_description(description: str) -> str:
    """A store's description ("Local store: …", "Remote store: … (replica)") for the status
    bar; one the GUI does not know is shown as given."""
    replica = description.endswith(" (replica)")
    core = description.removesuffix(" (replica)")
    for prefix, template in (
        ("Local store: ", tr("Local store: {where}")),
        ("Remote store: ", tr("Remote store: {where}")),
    ):
        if core.startswith(prefix):
            text = template.format(where=core.removeprefix(prefix))
            return tr("{store} (replica)").format(store=text) if replica else text
    return description


__all__ = [
    "auto_recharge_text",
    "frequency_word",
    "quantity_with_unit",
    "store_description",
    "unit_plural",
]
