"""Where backups go and how many automatic ones rotation keeps: the user's choice (Preferences)
or the defaults (a ``backups`` folder beside the store; 7 days, 5 weeks, the 3 newest).

The choice is a small JSON file in the per-user config folder (``backups.json``), not Qt
settings, so the desktop app, the ``backup``/``backups``/``restore`` commands and a server run
by the same user all read the same policy. A missing or unreadable file means the defaults.

A chosen folder holds one sub-folder per store (``<stem>-<8 hex of its absolute path>``), so two
stores both called ``billing.db`` never rotate each other's backups away.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import platformdirs

from billing_desktop import APP_ID
from billing_desktop.domain.errors import StoreError

POLICY_FILE = "backups.json"
DEFAULT_KEEP_DAYS = 7
DEFAULT_KEEP_WEEKS = 5
DEFAULT_KEEP_NEWEST = 3
# (smallest, largest) each count may be set to
LIMITS = {"keep_days": (1, 366), "keep_weeks": (0, 260), "keep_newest": (1, 100)}


@dataclass(frozen=True, slots=True)
class BackupPolicy:
    folder: Path | None = None  # None: a "backups" folder beside each store
    keep_days: int = DEFAULT_KEEP_DAYS
    keep_weeks: int = DEFAULT_KEEP_WEEKS
    keep_newest: int = DEFAULT_KEEP_NEWEST

    def problems(self) -> list[str]:
        """Why this policy cannot be used (counts out of range), or []."""
        found = []
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if not low <= value <= high:
                found.append(f"{name} must be from {low} to {high}, not {value}")
        return found


def policy_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_ID, appauthor=False)) / POLICY_FILE


def load_policy() -> BackupPolicy:
    """The saved policy, or the defaults when none is saved or the file is unreadable."""
    try:
        data = json.loads(policy_file().read_text(encoding="utf-8"))
        folder = data.get("folder")
        policy = BackupPolicy(
            folder=Path(folder) if folder else None,
            keep_days=int(data.get("keep_days", DEFAULT_KEEP_DAYS)),
            keep_weeks=int(data.get("keep_weeks", DEFAULT_KEEP_WEEKS)),
            keep_newest=int(data.get("keep_newest", DEFAULT_KEEP_NEWEST)),
        )
    except (OSError, ValueError, TypeError, AttributeError):
        return BackupPolicy()
    return BackupPolicy() if policy.problems() else policy


def save_policy(policy: BackupPolicy) -> None:
    """Save ``policy`` (refused when a count is out of range or the folder is unusable)."""
    problems = policy.problems()
    if policy.folder is not None:
        problem = folder_problem(policy.folder)
        if problem:
            problems.append(problem)
    if problems:
        raise StoreError("; ".join(problems))
    data = asdict(policy)
    data["folder"] = str(policy.folder) if policy.folder is not None else None
    target = policy_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.partial")
        partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, target)
    except OSError as exc:
        raise StoreError(f"cannot save the backup settings to {target}: {exc.strerror}") from None


def folder_problem(folder: Path) -> str:
    """Why backups cannot be written to ``folder`` ("" when they can): it must be absolute,
    and exist (or be creatable) and be writable by this user."""
    if not folder.is_absolute():
        return f"{folder}: choose a full path (an absolute folder)"
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as exc:
        return f"cannot write to {folder}: {exc.strerror or exc}"
    return ""


def store_backup_folder(store: Path, policy: BackupPolicy) -> Path:
    """The folder ``store``'s backups go to under ``policy``."""
    if policy.folder is None:
        return store.parent / "backups"  # backups.BACKUP_FOLDER
    digest = hashlib.sha256(str(store.resolve()).encode()).hexdigest()[:8]
    return policy.folder / f"{store.stem}-{digest}"
