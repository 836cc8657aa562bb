"""Compile the translation catalogues (.po → .mo) in pure Python.

Django's `compilemessages` runs GNU gettext's `msgfmt`, which a fresh machine
may not have; `make run`, `make test` and CI call this instead (through the
`compile_catalogues` command), so a new user needs nothing but Python. Babel
reads the .po, checks that placeholders agree between msgid and msgstr
(what `msgfmt --check-format` does) and writes the .mo; fuzzy entries are left
out, as msgfmt does.

The .mo files are build output (see .gitignore): they are written only when
missing or older than their .po, atomically, so that parallel test workers or
two commands running at once never read a half-written file.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

NAMED_PLACEHOLDER = re.compile(r"%\((\w+)\)")


class CatalogueError(Exception):
    """A .po file that cannot be compiled; the message names file and entries."""


@dataclass
class CompileResult:
    written: list[Path] = field(default_factory=list)
    current: list[Path] = field(default_factory=list)


def find_po_files(locale_dirs) -> list[Path]:
    """Every `<locale>/LC_MESSAGES/*.po` under the given locale folders, sorted."""
    found = []
    for locale_dir in locale_dirs:
        found.extend(Path(locale_dir).glob("*/LC_MESSAGES/*.po"))
    return sorted(found)


def is_current(po_path: Path) -> bool:
    """True when the .mo beside `po_path` exists and is not older than it."""
    mo_path = po_path.with_suffix(".mo")
    return mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime


def read_catalogue(po_path: Path):
    """The Babel catalogue of `po_path`; CatalogueError on syntax or format errors."""
    locale = po_path.parent.parent.name
    try:
        with open(po_path, "rb") as fh:
            catalogue = read_po(fh, locale=locale.replace("-", "_"), abort_invalid=True)
    except Exception as exc:  # Babel raises PoFileError and a few others
        raise CatalogueError(f"{po_path}: cannot be read: {exc}") from exc
    problems = []
    for message, errors in catalogue.check():
        for error in errors:
            problems.append(f"  line {message.lineno}: {message.id!r}: {error}")
    for message in catalogue:
        # Babel accepts a translation that leaves out a named placeholder;
        # the reader would then miss the value (a date, a name), so refuse it.
        if not message.id or "python-format" not in message.flags:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set(NAMED_PLACEHOLDER.findall(ids[0]))
        for string in strings:
            if string and (lost := wanted - set(NAMED_PLACEHOLDER.findall(string))):
                names = ", ".join(f"%({name})s" for name in sorted(lost))
                problems.append(f"  line {message.lineno}: {ids[0]!r}: translation lacks {names}")
    if problems:
        raise CatalogueError(f"{po_path}: placeholders do not match:\n" + "\n".join(problems))
    return catalogue


def compile_po(po_path: Path) -> Path:
    """Write the .mo beside `po_path` (atomically) and return its path."""
    catalogue = read_catalogue(po_path)
    mo_path = po_path.with_suffix(".mo")
    fd, tmp_name = tempfile.mkstemp(dir=mo_path.parent, prefix=mo_path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write_mo(fh, catalogue, use_fuzzy=False)
        # mkstemp makes the file private (0600); a catalogue compiled by root
        # at deployment must stay readable by the service's own user, or
        # every Chinese page fails.
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, mo_path)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    return mo_path


def compile_catalogues(locale_dirs, force: bool = False) -> CompileResult:
    """Compile every stale (or, with `force`, every) catalogue under `locale_dirs`."""
    result = CompileResult()
    for po_path in find_po_files(locale_dirs):
        if not force and is_current(po_path):
            result.current.append(po_path.with_suffix(".mo"))
        else:
            result.written.append(compile_po(po_path))
    return result
