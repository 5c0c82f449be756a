"""The engine's own words as the GUI shows them, in the GUI's language: units of measure,
commit frequencies, the auto-recharge setting. The services keep them in English for the
command line, the API and the files; the views translate them here, in one place."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from billing_desktop.domain.model import Frequency, Role
from billing_desktop.services.context import OWNER_NAME
from billing_desktop.services.credits import AutoRecharge
from billing_desktop.services.overview import ROLE_TITLES
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.locale_format import format_money, format_number

# Each unit's words, translated when asked (not at import: the language is the one in use).
_UNITS: dict[str, tuple[Callable[[int], str], Callable[[], str]]] = {
    # unit: (a quantity of it, singular or plural by the count; its plural alone)
    "minute": (lambda n: ntr("{quantity} minute", "{quantity} minutes", n), lambda: tr("minutes")),
    "session": (
        lambda n: ntr("{quantity} session", "{quantity} sessions", n),
        lambda: tr("sessions"),
    ),
    "message": (
        lambda n: ntr("{quantity} message", "{quantity} messages", n),
        lambda: tr("messages"),
    ),
    "call": (lambda n: ntr("{quantity} call", "{quantity} calls", n), lambda: tr("calls")),
    "agent": (lambda n: ntr("{quantity} agent", "{quantity} agents", n), lambda: tr("agents")),
    "number": (lambda n: ntr("{quantity} number", "{quantity} numbers", n), lambda: tr("numbers")),
}
_ROLES: dict[Role, Callable[[], str]] = {
    Role.ADMIN: lambda: tr("Admin"),
    Role.SUPERVISOR: lambda: tr("Supervisor"),
    Role.SHARED: lambda: tr("Shared account"),
    Role.AGENT: lambda: tr("Agent"),
}
_FREQUENCIES: dict[Frequency, Callable[[], str]] = {
    Frequency.MONTHLY: lambda: tr("monthly"),
    Frequency.QUARTERLY: lambda: tr("quarterly"),
    Frequency.YEARLY: lambda: tr("yearly"),
}


def quantity_with_unit(quantity: Decimal | int, unit: str) -> str:
    """ "1,490.52 minutes", "1 agent" (a quantity of exactly 1 takes the singular)."""
    shown = format_number(quantity)
    words = _UNITS.get(unit)
    if words is None:  # a unit the rate card brings that the GUI does not know: as given
        return f"{shown} {unit}"
    return words[0](1 if quantity == 1 else 2).format(quantity=shown)


def unit_plural(unit: str) -> str:
    """The unit's plural alone ("free minutes left")."""
    words = _UNITS.get(unit)
    return unit if words is None else words[1]()


def frequency_word(frequency: Frequency) -> str:
    """How often a commit recharges: "monthly", "quarterly", "yearly"."""
    return _FREQUENCIES[frequency]()


def role_title(role: Role) -> str:
    """A user's role as the GUI names it ("Admin" / "Administrador")."""
    return _ROLES[role]()


def user_label_text(label: str) -> str:
    """The status bar's user, "Ana Ruiz (Admin)" (``Workspace.user_label``), with the role in
    the GUI's language; a label the GUI does not know is shown as given."""
    if label == f"{OWNER_NAME} (setting up)":
        return tr("local owner (setting up)")
    for role, english in ROLE_TITLES.items():
        if label.endswith(f" ({english})"):
            name = label.removesuffix(f" ({english})")
            return tr("{name} ({role})").format(name=name, role=role_title(role))
    return label


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
    "role_title",
    "store_description",
    "unit_plural",
    "user_label_text",
]
