"""The Spanish catalog covers every string the GUI marks, and the GUI marks its strings.

* every ``tr``/``ntr`` msgid under the checked folders (and every translatable string of the
  Designer forms) has a non-fuzzy Spanish translation in the merged ``resources/locale/es``
  catalog, with the same ``{placeholders}``;
* no user-visible literal is passed unmarked to a Qt text setter or widget constructor.

The checked folders are ``CHECKED`` (those marked on branch lang-core); to check all of
``billing_desktop/ui`` once every part is marked, set ``CHECKED = (UI,)``.
"""

from __future__ import annotations

import ast
import string
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "billing_desktop" / "ui"
LOCALE = ROOT / "resources" / "locale" / "es"
FORMS = ROOT / "forms"
CHECKED = (UI,)  # every module of the GUI
KEYWORDS = {"tr": None, "ntr": (1, 2)}
LOGGERS = {"log", "logger", "logging"}
MARKERS = set(KEYWORDS)

# Qt setters and constructors whose string argument the user reads.
TEXT_METHODS = {
    "setText",
    "setToolTip",
    "setStatusTip",
    "setWhatsThis",
    "setWindowTitle",
    "setPlaceholderText",
    "setTitle",
    "setLabelText",
    "setAccessibleName",
    "setAccessibleDescription",
    "setSpecialValueText",
    "setInformativeText",
    "addAction",
    "addMenu",
    "addTab",
    "insertTab",
    "setTabText",
    "setTabToolTip",
    "addItem",
    "addRow",
    "showMessage",
    "information",
    "warning",
    "critical",
    "question",
    "getOpenFileName",
    "getSaveFileName",
    "getExistingDirectory",
}
TEXT_CLASSES = {
    "QLabel",
    "QPushButton",
    "QToolButton",
    "QCheckBox",
    "QRadioButton",
    "QGroupBox",
    "QAction",
    "QMenu",
    "QMessageBox",
    "QCommandLinkButton",
}
# Literals that are not words: symbols, units and names that read the same in every language.
ALLOWED = {"", "—", "–", "…", "%", "·", "×", "+", "-", "/", ":", "Billing Desktop", "SMS", "PDF"}


def _paths(folders: tuple[Path, ...]) -> Iterator[Path]:
    for folder in folders:
        if folder.is_file():
            yield folder
        else:
            yield from (p for p in sorted(folder.rglob("*.py")) if "forms" not in p.parts)


def marked_messages(folders: tuple[Path, ...] = CHECKED) -> dict[str | tuple[str, ...], str]:
    """Every msgid marked with tr/ntr in ``folders`` -> where it is (file:line)."""
    found: dict[str | tuple[str, ...], str] = {}
    for folder in folders:
        if folder.is_file():
            from babel.messages.extract import extract_from_file

            results = [
                (folder.name, line, message)
                for line, message, _comments, _context in extract_from_file(
                    "python", str(folder), keywords=KEYWORDS
                )
            ]
        else:
            results = [
                (name, line, message)
                for name, line, message, _comments, _context in extract_from_dir(
                    str(folder), method_map=[("**.py", "python")], keywords=KEYWORDS
                )
            ]
        for name, line, message in results:
            key = message if isinstance(message, str) else tuple(message)
            found.setdefault(key, f"{folder.name}/{name}:{line}")
    for form in sorted(FORMS.glob("*.ui")):
        for element in ET.parse(form).iter("string"):
            if element.text and element.get("notr") != "true":
                found.setdefault(element.text, f"forms/{form.name}")
    return found


def spanish_catalog() -> Catalog:
    """The ``es`` catalog as the app reads it: every .po file of the folder, merged."""
    merged = Catalog(locale="es")
    for path in sorted(LOCALE.glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale="es")
        for message in catalog:
            if message.id and message.id not in merged:
                merged[message.id] = message
    return merged


def placeholders(text: str) -> set[str]:
    return {
        f"{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}"
        for _literal, name, spec, conversion in string.Formatter().parse(text)
        if name is not None
    }


def test_every_marked_string_has_a_spanish_translation_with_the_same_placeholders() -> None:
    catalog = spanish_catalog()
    problems: list[str] = []
    for msgid, where in marked_messages().items():
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        message = catalog.get(key)
        if message is None or message.fuzzy or not message.string:
            problems.append(f"{where}: no Spanish translation of {msgid!r}")
            continue
        sources = list(msgid) if isinstance(msgid, tuple) else [msgid]
        targets = list(message.string) if isinstance(message.string, tuple) else [message.string]
        if not all(targets):
            problems.append(f"{where}: a plural form of {msgid!r} is not translated")
            continue
        # Spanish has two forms, as English: each form keeps its own source's placeholders
        # (a singular may leave the count out: "statement" / "{count} statements").
        for number, target in enumerate(targets):
            source = sources[min(number, len(sources) - 1)]
            if placeholders(target) != placeholders(source):
                problems.append(
                    f"{where}: {msgid!r} has {sorted(placeholders(source))}, its "
                    f"translation {target!r} has {sorted(placeholders(target))}"
                )
    assert not problems, "\n".join(problems)


def test_the_checks_see_the_strings() -> None:
    """The extraction finds the marked strings (a broken extraction would pass anything)."""
    found = marked_messages()
    assert "Usage per product" in found  # tabs/usage/tab.py
    assert ("Move it to {unit}", "Move them to {unit}") in found  # an ntr plural
    assert "&File" in found  # forms/main_window.ui
    assert len(found) > 500


def test_placeholders_are_compared() -> None:
    assert placeholders("Saved {count:,} rows to {path}.") == {"count:,", "path"}
    assert placeholders("{path} guardado") != placeholders("Saved {name}")


def _unmarked(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = (
            func.attr
            if isinstance(func, ast.Attribute)
            else func.id
            if isinstance(func, ast.Name)
            else ""
        )
        if name not in TEXT_METHODS and name not in TEXT_CLASSES:
            continue
        receiver = getattr(func, "value", None)
        if isinstance(receiver, ast.Name) and receiver.id in LOGGERS:
            continue  # log.warning(...): for the log file, which stays English
        for argument in node.args:
            if isinstance(argument, ast.Call) and getattr(argument.func, "id", "") in MARKERS:
                break  # the text is marked
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                text = argument.value
            elif isinstance(argument, ast.JoinedStr):  # only its own words count
                text = "".join(
                    part.value for part in argument.values if isinstance(part, ast.Constant)
                )
            else:
                continue
            if text.strip() in ALLOWED or not any(c.isalpha() for c in text):
                break
            yield argument.lineno, f"{name}({text!r})"
            break  # the first text argument is the one shown


def unmarked_literals(folders: tuple[Path, ...] = CHECKED) -> list[str]:
    found: list[str] = []
    for path in _paths(folders):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found.extend(f"{path.relative_to(ROOT)}:{line}: {what}" for line, what in _unmarked(tree))
    return found


def test_no_user_visible_literal_is_left_unmarked() -> None:
    found = unmarked_literals()
    assert not found, "wrap these in tr(...):\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('button.setText("Save")', True),
        ('QLabel("Total:", self)', True),
        ('menu.addAction(f"Open {name}")', True),
        ('button.setText(tr("Save"))', False),
        ('label.setText("—")', False),
        ('label.setObjectName("totalLabel")', False),
        ('combo.addItem(tr("At list price"), "list")', False),
        ('label.setText(f"{amount} / {unit}")', False),
    ],
)
def test_the_unmarked_check_flags_literals(source: str, flagged: bool) -> None:
    assert bool(list(_unmarked(ast.parse(source)))) is flagged
