"""The Sessions section's chart series: what each line shows, its colour and its axis."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QColor

from billing_desktop.services.sessions import SessionBucket
from billing_desktop.ui.charts.timeline import LineSeries
from billing_desktop.ui.i18n import tr

BILLING_COLOUR = QColor(37, 99, 235)
ALERT_COLOUR = QColor(16, 163, 74)
VOICE_COLOUR = QColor(147, 51, 234)
AGENTS_COLOUR = QColor(217, 119, 6)


def chart_series(buckets: Sequence[SessionBucket]) -> list[LineSeries]:
    return [
        LineSeries(
            tr("Billing sessions"),
            [b.billing_sessions for b in buckets],
            BILLING_COLOUR,
            tr("billing session"),
            tr("billing sessions"),
        ),
        LineSeries(
            tr("Alert sessions"),
            [b.alert_sessions for b in buckets],
            ALERT_COLOUR,
            tr("alert session"),
            tr("alert sessions"),
        ),
        LineSeries(
            tr("Voice sessions"),
            [b.voice_sessions for b in buckets],
            VOICE_COLOUR,
            tr("voice session"),
            tr("voice sessions"),
        ),
        LineSeries(
            tr("Agents (peak, right axis)"),
            [b.agents for b in buckets],
            AGENTS_COLOUR,
            tr("agent"),
            tr("agents"),
            right_axis=True,
            dashed=True,
        ),
    ]
