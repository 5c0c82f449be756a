"""Billing units (PRODUCT §6): add, rename, delete, assign, and the cost report.

Every change checks the actor's right to edit Billing Units, applies the domain rules
(``domain.units``), and writes one audit row — all in the caller's unit of work, so the change
and its audit row are committed together (the caller commits). Each change returns what it
did, in a form its inverse takes: the GUI's undo history replays those through here, so an undo
changes the store, not just the screen.

The report allocates a month's list-price charges to the units (the rules are in
``domain.units``). Quantities are the billing engine's: from the hourly rollups for an open
month, from the stored rating for a closed one. What drove them (which number, which user) comes
from the raw calls and alerts of the month and from the agent seats and numbers."""

from __future__ import annotations

from billing_desktop.services.units.commands import Assignment as Assignment
from billing_desktop.services.units.commands import add_unit as add_unit
from billing_desktop.services.units.commands import assign as assign
from billing_desktop.services.units.commands import delete_unit as delete_unit
from billing_desktop.services.units.commands import reapply as reapply
from billing_desktop.services.units.commands import rename_unit as rename_unit
from billing_desktop.services.units.commands import restore_unit as restore_unit
from billing_desktop.services.units.commands import revert as revert
from billing_desktop.services.units.commands import unassign as unassign
from billing_desktop.services.units.common import ENTITY as ENTITY
from billing_desktop.services.units.common import ZERO as ZERO
from billing_desktop.services.units.presenting import REPORT_AMOUNTS as REPORT_AMOUNTS
from billing_desktop.services.units.presenting import REPORT_HEADER as REPORT_HEADER
from billing_desktop.services.units.presenting import report_csv as report_csv
from billing_desktop.services.units.presenting import report_rows as report_rows
from billing_desktop.services.units.presenting import write_report as write_report
from billing_desktop.services.units.queries import DeletionImpact as DeletionImpact
from billing_desktop.services.units.queries import NumberEntry as NumberEntry
from billing_desktop.services.units.queries import PersonEntry as PersonEntry
from billing_desktop.services.units.queries import UnitMembers as UnitMembers
from billing_desktop.services.units.queries import UnitRow as UnitRow
from billing_desktop.services.units.queries import UnitsOverview as UnitsOverview
from billing_desktop.services.units.queries import deletion_impact as deletion_impact
from billing_desktop.services.units.queries import find_unit as find_unit
from billing_desktop.services.units.queries import get_unit as get_unit
from billing_desktop.services.units.queries import unit_members as unit_members
from billing_desktop.services.units.queries import units_overview as units_overview
from billing_desktop.services.units.report import BASES as BASES
from billing_desktop.services.units.report import UnitReport as UnitReport
from billing_desktop.services.units.report import unit_report as unit_report
