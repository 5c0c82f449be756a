"""The command line's text output, in one place (issue 15 §7).

* Names come from imports and other people: one holding ``ESC ] 0 ; … BEL`` or ``ESC [ 2 J``
  would retitle or clear the reader's terminal, a carriage return would hide what came before
  it on the line. Everything the CLI writes to stdout and stderr goes through :func:`clean`:
  escape sequences (CSI, OSC, and the two-character ones) are removed, and so are the other C0
  and C1 control characters and DEL, except the tab and line feed that lay tables out, and the
  bidirectional overrides that can make text read differently from what it is. JSON output is
  unaffected (``json.dumps`` writes such characters as ``\\u001b`` escapes already).
* ``billing-desktop usage | head`` closes the pipe early: the rest of the output is dropped
  quietly, as the Python documentation recommends (stdout pointed at os.devnull, so the final
  flush at exit cannot fail again), instead of a BrokenPipeError traceback.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

# ESC [ parameters intermediates final (CSI); ESC ] ... BEL or ESC \ (OSC, and the other string
# commands P X ^ _ ending the same way); ESC and one character; the 8-bit CSI and OSC.
_ESCAPES = (
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|[\x1b][\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)
_CONTROLS = r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
UNSAFE = re.compile(f"{_ESCAPES}|{_CONTROLS}")


def clean(text: str) -> str:
    """``text`` without terminal escape sequences and control characters (tab and line feed
    stay)."""
    return UNSAFE.sub("", text) if UNSAFE.search(text) else text


class CleanWriter:
    """A text stream that writes :func:`clean` text to ``stream`` (everything else, such as
    ``fileno`` or ``isatty``, is the stream's own)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(clean(text))
        return len(text)

    def writelines(self, lines: Iterator[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@contextmanager
def clean_output() -> Iterator[None]:
    """While it lasts, ``sys.stdout`` and ``sys.stderr`` write :func:`clean` text."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = CleanWriter(out), CleanWriter(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def run_to_pipe(command: Callable[[], int]) -> int:
    """``command()``'s exit status, its output flushed; 1 when the reader of stdout went away
    (a closed pipe: nothing more can be said, so nothing is)."""
    try:
        status = command()
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # Python exits with status 1 on EPIPE; point stdout at devnull so that the flush at
        # interpreter exit does not raise (and print) the same error again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
        return 1
