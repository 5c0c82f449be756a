"""Run real failing actions with the GUI in Spanish and print what the window shows, as JSON:
the services' English messages must reach the user in Spanish (ui/service_messages.py).

Run in a process of its own (``python -m tests.gui.service_messages_probe``), as
``tests/gui/test_service_messages_gui.py`` does: the language is chosen once per process.
``--shots FOLDER`` also saves the screens as PNGs (the README's screenshots).

What it does, on the usage workspace (tests/usage_workspace.py) as Ada (an admin):

* reads the status bar's user ("Ada Admin (Administrador)");
* imports a packs file with three bad lines (File ▸ Import, through the task runner): the
  "Import failed" message box;
* Manage credits: buys credit for -5 (refused by the amount check of the domain);
* Invoices ▸ Prepaid invoices on a card account: issuing one is refused by the service;
* Usage Data ▸ Quotas with the SMS quota exceeded: the banner, built from service words;
* Usage Data ▸ Sessions: its caption (dates, the agents note) in Spanish;
* the Close month bar and dialog of last month (the month inside a sentence is lower case).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["BILLING_DESKTOP_LANGUAGE"] = "es"

BAD_PACKS = "statistic,name,volume,price\ntexts,T,1,1\nsms,S,1.5,1\nsms,U,x,1\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shots", type=Path, help="save the screens as PNGs in this folder")
    args = parser.parse_args(argv)

    from billing_desktop.ui import i18n

    assert i18n.install_language("es") == "es"
    from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

    from billing_desktop.bootstrap import SqlStore
    from billing_desktop.domain.access import Area
    from billing_desktop.domain.periods import Month
    from billing_desktop.ui.app import application
    from billing_desktop.ui.dialogs.prepaid import PrepaidDialog
    from billing_desktop.ui.main_window import MainWindow
    from tests.gui.spanish_dialogs_probe import wait
    from tests.usage_workspace import build, utc_today

    app = application()
    found: dict[str, Any] = {}

    def shot(widget: QWidget, name: str) -> None:
        if args.shots is not None:
            args.shots.mkdir(parents=True, exist_ok=True)
            widget.grab().save(str(args.shots / f"lang-services-{name}.png"))

    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_CONFIG_HOME"] = folder  # the user's settings are not read or changed
        store = SqlStore(f"sqlite:///{folder}/store.db")
        with store() as uow:
            build(uow, utc_today())
            uow.commit()
        window = MainWindow(store, "ada")
        window.resize(1280, 800)
        window.show()
        wait(app, lambda: not window.runner.busy and window.current_page_name != "loading")

        def idle() -> bool:
            return not window.runner.busy

        usage: Any = window.tab_pages[Area.USAGE]
        window.select_area(Area.USAGE)
        wait(app, lambda: idle() and usage.manage_refusal() is None)
        found["user"] = window.user_label.text()
        found["close_bar"] = usage.close_bar.button.text() if usage.close_bar.isVisible() else ""
        shot(window, "status-bar")

        # An import the services refuse: the message box the task's error opens.
        bad = Path(folder) / "packs.csv"
        bad.write_text(BAD_PACKS, encoding="utf-8")
        window.run_import("packs", bad)

        def box() -> QMessageBox | None:
            shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
            return next((w for w in shown if w.isVisible()), None)

        wait(app, lambda: idle() and box() is not None)
        message = box()
        assert message is not None
        found["import_failed"] = {"title": message.windowTitle(), "text": message.text()}
        shot(message, "import-failed")
        message.close()
        wait(app, idle)

        # Manage credits: an amount the domain refuses, in the dialog's status line.
        dialog = usage.open_manage_credits()
        assert dialog is not None
        dialog.show()
        wait(app, idle)
        dialog.purchase_amount.setText("-5")
        dialog.purchase()
        wait(app, idle)
        found["manage_credits"] = dialog.status.text()
        shot(dialog, "manage-credits-error")
        dialog.close()
        wait(app, idle)

        # Prepaid invoices on a card account: the service refuses the write (through the
        # task runner and the dialog's status line).
        invoices: Any = window.tab_pages[Area.INVOICES]
        window.select_area(Area.INVOICES)
        wait(app, idle)
        invoices.open_prepaid()
        wait(app, idle)
        prepaid = next(w for w in QApplication.topLevelWidgets() if isinstance(w, PrepaidDialog))
        prepaid.amount.setText("100")
        prepaid.issue()
        wait(app, lambda: idle() and not prepaid.busy)
        found["prepaid"] = prepaid.status.text()
        shot(prepaid, "prepaid-refused")
        prepaid.close()
        wait(app, idle)

        # Usage Data ▸ Quotas with the SMS quota exceeded: the banner the service words.
        from billing_desktop.domain.quotas import Statistic
        from billing_desktop.services import quotas
        from billing_desktop.services.context import resolve_actor

        with store() as uow:  # the workspace sent 50 SMS this month
            quotas.set_quota(uow, resolve_actor(uow, "ada"), "sms", 40)
            uow.commit()
        usage_data: Any = window.select_area(Area.USAGE_DATA)
        section = usage_data.show_section("quotas")
        wait(app, lambda: idle() and section.banners[Statistic.SMS].isVisible())
        found["quota_banner"] = section.banners[Statistic.SMS].label.text()
        shot(section, "quota-banner")

        # Usage Data ▸ Sessions: the range, the notes and the read-outs are Spanish.
        sessions_page = usage_data.show_section("sessions")
        wait(app, lambda: idle() and sessions_page.statistics is not None)
        found["sessions_caption"] = sessions_page.caption.text()
        shot(sessions_page, "sessions")

        # Close month: the month inside "Cerrar … de 2026" is lower case.
        window.select_area(Area.USAGE)
        closing = usage.open_close_month(Month.of(utc_today()).plus(-1))
        assert closing is not None
        closing.show()
        wait(app, idle)
        found["close_month"] = {
            "title": closing.windowTitle(),
            "button": closing.close_button.text(),
            "intro": closing.intro.text(),
        }
        shot(closing, "close-month")
        closing.close()
        wait(app, idle)
        window.close()
        store.dispose()
    json.dump(found, sys.stdout, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
