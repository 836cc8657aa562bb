"""The Chinese interface is complete: every user-facing string is in the
zh_Hans catalogue, translated, and not fuzzy; the catalogue compiles.

Extraction runs Django's makemessages (GNU xgettext) on a copy of the source
tree, so the committed catalogue is never touched. Without xgettext that part
is skipped locally (apt-get install gettext), never in CI; the checks of the
committed catalogue always run.
"""

import gettext
import io
import os
import shutil
import stat
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from aidtracker.lib.catalogues import CatalogueError, compile_catalogues, is_current, read_catalogue

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Same as `make messages`: strings of the tests and benchmarks are not user-facing.
IGNORED = ["tests", "bench", "node_modules"]
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "staticfiles", "test-artifacts", "__pycache__",
    "*.sqlite3*", "*.mo", "locale", "bench",
)


def _key(message):
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return (message.context, msgid)


def _describe(keys):
    return "\n".join(f"  {msgid!r}" + (f" (context {ctx!r})" if ctx else "") for ctx, msgid in sorted(keys, key=lambda k: (k[1], k[0] or "")))


def _committed():
    with open(PO, "rb") as fh:
        return read_po(fh)


def test_every_catalogue_entry_is_translated_and_none_is_fuzzy():
    catalogue = _committed()
    untranslated = {_key(m) for m in catalogue if m.id and not all(
        (m.string,) if isinstance(m.string, str) else m.string
    )}
    fuzzy = {_key(m) for m in catalogue if m.id and m.fuzzy}
    assert not untranslated, f"untranslated in {PO.relative_to(ROOT)}:\n{_describe(untranslated)}"
    assert not fuzzy, f"fuzzy (check, then remove the flag) in {PO.relative_to(ROOT)}:\n{_describe(fuzzy)}"
    assert not catalogue.fuzzy, "the catalogue's header is marked fuzzy: remove '#, fuzzy' above msgid \"\""


def test_catalogue_placeholders_match_and_it_declares_its_language():
    catalogue = read_catalogue(PO)  # raises on a %(name)s missing from a translation
    assert catalogue.mime_headers and dict(catalogue.mime_headers)["Language"] == "zh_Hans"
    assert catalogue.num_plurals == 1


def test_every_user_facing_string_is_in_the_catalogue(tmp_path, monkeypatch):
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("xgettext is missing: CI must install gettext (see .ci/run)")
        pytest.skip("xgettext (GNU gettext) is not installed: apt-get install gettext")
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED)
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[str(copy / "locale")]):
        call_command(
            "makemessages", locale=["zh_Hans"], no_location=True, keep_pot=True,
            ignore_patterns=IGNORED, verbosity=0,
        )
    # xgettext leaves the template's plural rule a placeholder that Babel cannot read.
    pot = (copy / "locale" / "django.pot").read_text(encoding="utf-8")
    pot = pot.replace("nplurals=INTEGER; plural=EXPRESSION;", "nplurals=2; plural=(n != 1);")
    extracted = {_key(m) for m in read_po(io.StringIO(pot)) if m.id}
    assert len(extracted) > 100, "makemessages found almost nothing: is the copy right?"
    committed = {_key(m) for m in _committed() if m.id}
    missing = extracted - committed
    assert not missing, (
        "strings not in the zh_Hans catalogue; run `make messages` and translate them:\n"
        + _describe(missing)
    )


def test_compiled_catalogue_gives_the_committed_translations(tmp_path):
    locale = tmp_path / "zh_Hans" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    shutil.copy(PO, locale / "django.po")
    result = compile_catalogues([tmp_path])
    assert result.written == [locale / "django.mo"]
    with open(locale / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for message in _committed():
        if message.id and isinstance(message.id, str):
            got = compiled.pgettext(message.context, message.id) if message.context else compiled.gettext(message.id)
            assert got == message.string


def test_compile_writes_only_stale_catalogues(tmp_path):
    locale = tmp_path / "zh_Hans" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    po = locale / "django.po"
    shutil.copy(PO, po)
    assert compile_catalogues([tmp_path]).written == [locale / "django.mo"]
    assert is_current(po)
    assert compile_catalogues([tmp_path]).written == []
    mo_time = (locale / "django.mo").stat().st_mtime
    os.utime(po, (mo_time + 10, mo_time + 10))
    assert not is_current(po)
    assert compile_catalogues([tmp_path]).written == [locale / "django.mo"]


def test_compiled_catalogue_is_readable_by_the_service_user(tmp_path):
    """Compiled by root at deployment, read by the service's own user: a
    private .mo made every Chinese page fail with a PermissionError."""
    locale = tmp_path / "zh_Hans" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    shutil.copy(PO, locale / "django.po")
    compile_catalogues([tmp_path])
    assert stat.S_IMODE((locale / "django.mo").stat().st_mode) == 0o644


@pytest.mark.parametrize(
    "translation, complaint",
    [("已有轮换派驻", "lacks %(person)s"), ("%(persn)s 已有轮换派驻", "persn")],
    ids=["dropped", "misspelt"],
)
def test_a_translation_with_wrong_placeholders_is_refused_with_file_and_line(
    tmp_path, translation, complaint
):
    locale = tmp_path / "zh_Hans" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    (locale / "django.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        "#, python-format\n"
        'msgid "%(person)s already has a rotation"\n'
        f'msgstr "{translation}"\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as excinfo:
        compile_catalogues([tmp_path])
    message = str(excinfo.value)
    assert "django.po" in message and "line 6" in message and complaint in message
    assert not (locale / "django.mo").exists()


def test_compile_catalogues_command_reports_what_it_wrote(tmp_path, capsys):
    locale = tmp_path / "zh_Hans" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    shutil.copy(PO, locale / "django.po")
    with override_settings(LOCALE_PATHS=[str(tmp_path)]):
        call_command("compile_catalogues")
        call_command("compile_catalogues")  # nothing stale the second time
    out = capsys.readouterr().out
    assert out.count("compiled") == 1 and "django.mo" in out
