"""Bundles for the importer's tests: the hand-written example bundle of
docs/example-bundle/, copied into tmp_path and changed file by file."""

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from interchange.importer import import_bundle

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "example-bundle"


@pytest.fixture
def example(tmp_path):
    """A copy of the example bundle in a folder; returns the folder."""
    folder = tmp_path / "bundle"
    shutil.copytree(EXAMPLE, folder)
    return folder


def write(folder, name, text):
    Path(folder, name).write_text(text, encoding="utf-8")
    return Path(folder, name)


def append(folder, name, *lines):
    path = Path(folder, name)
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + "".join(line + "\n" for line in lines), encoding="utf-8")


def replace(folder, name, old, new):
    path = Path(folder, name)
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run(path, **kwargs):
    return import_bundle(path, **kwargs)


def command(*args):
    """Run import_bundle as the command line does; return (exit status, output)."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("import_bundle", *map(str, args), "--no-progress", stdout=out)
        status = 0
    except SystemExit as exit:
        status = exit.code
    return status, out.getvalue()


def only_error(report, **expected):
    """The single error of the report, checked against `expected` fields."""
    assert report.error_count == 1, [str(e) for e in report.errors]
    error = report.errors[0]
    for key, value in expected.items():
        assert getattr(error, key) == value, (key, str(error))
    return error


@pytest.fixture
def specialties(db):
    """The specialty list a migration fills: a transactional test that ran
    before may have flushed it (Django empties every table after such a test)."""
    import importlib

    from hospitals.models import Specialty

    migration = importlib.import_module("hospitals.migrations.0002_specialties")
    for code, name, name_zh in migration.SPECIALTIES:
        Specialty.objects.get_or_create(code=code, defaults={"name": name, "name_zh": name_zh})


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads and progress files of the tests go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
