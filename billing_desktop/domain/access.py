"""Roles, access-group privileges and what each may see and do (PRODUCT §9).

A user's rights are the union of their role's and their access groups' rights, except that
shared-account users never see the Plans tab, whatever their groups say.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from types import MappingProxyType

from billing_desktop.domain.errors import PermissionDenied
from billing_desktop.domain.model import Privilege, Role


class Area(StrEnum):
    """The five tabs, in the order the main window shows them."""

    USAGE = "usage"
    BILLING_UNITS = "billing_units"
    PLANS = "plans"
    INVOICES = "invoices"
    USAGE_DATA = "usage_data"

    @property
    def label(self) -> str:
        """The tab title ("Billing Units"); not ``title``, which would shadow ``str.title``."""
        return _TITLES[self]


_TITLES = {
    Area.USAGE: "Usage",
    Area.BILLING_UNITS: "Billing Units",
    Area.PLANS: "Plans",
    Area.INVOICES: "Invoices",
    Area.USAGE_DATA: "Usage Data",
}


class Level(IntEnum):
    NONE = 0
    VIEW = 1
    EDIT = 2


_N, _V, _E = Level.NONE, Level.VIEW, Level.EDIT
_AREAS = tuple(Area)


def _row(*levels: Level) -> Mapping[Area, Level]:
    return MappingProxyType(dict(zip(_AREAS, levels, strict=True)))


# Columns: Usage, Billing Units, Plans, Invoices, Usage Data.
ROLE_RIGHTS: Mapping[Role, Mapping[Area, Level]] = {
    Role.ADMIN: _row(_E, _E, _E, _V, _V),
    Role.SUPERVISOR: _row(_V, _E, _N, _N, _V),
    Role.SHARED: _row(_V, _N, _N, _V, _V),
    Role.AGENT: _row(_N, _N, _N, _N, _N),
}
PRIVILEGE_RIGHTS: Mapping[Privilege, Mapping[Area, Level]] = {
    Privilege.EDIT_BILLING: _row(_E, _N, _E, _V, _V),
    Privilege.VIEW_BILLING_UNIT: _row(_N, _V, _N, _N, _N),
    Privilege.EDIT_BILLING_UNIT: _row(_N, _E, _N, _N, _N),
}


@dataclass(frozen=True, slots=True)
class Rights:
    """What one acting user may do, area by area."""

    levels: Mapping[Area, Level]

    def level(self, area: Area) -> Level:
        return self.levels.get(area, Level.NONE)

    def can_view(self, area: Area) -> bool:
        return self.level(area) >= Level.VIEW

    def can_edit(self, area: Area) -> bool:
        return self.level(area) >= Level.EDIT

    @property
    def visible_areas(self) -> tuple[Area, ...]:
        return tuple(area for area in Area if self.can_view(area))

    @property
    def any(self) -> bool:
        return bool(self.visible_areas)

    def require(self, area: Area, level: Level, action: str) -> None:
        if self.level(area) < level:
            need = "edit" if level == Level.EDIT else "view"
            raise PermissionDenied(
                f"you may not {action}: it needs the right to {need} {area.label}"
            )


def rights_for(role: Role, access_groups: tuple[Privilege, ...] = ()) -> Rights:
    levels = dict(ROLE_RIGHTS[role])
    for privilege in access_groups:
        for area, level in PRIVILEGE_RIGHTS[privilege].items():
            levels[area] = max(levels[area], level)
    if role == Role.SHARED:
        levels[Area.PLANS] = Level.NONE  # hidden for shared-account users, whatever the groups
    return Rights(MappingProxyType(levels))


FULL_RIGHTS = rights_for(Role.ADMIN)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting and from where; carried into every service call and audit row."""

    user_id: str | None
    name: str
    rights: Rights
    origin: str = "desktop/local"

    @property
    def audit_name(self) -> str:
        return self.user_id or self.name
