"""Write the demo fixture from the deterministic generator (demo.synthetic)."""

import json
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

from demo import synthetic
from aidtracker.lib.serializers import PythonSerializer


def fixture_objects(seed=0):
    """Yield the demo's rows as `dumpdata --natural-foreign --natural-primary` dicts.

    Unsaved model instances go through the same serializer as `dumpdata`, so
    the file is what dumpdata would write for these rows; no database is
    touched (every foreign key is a code, read from the instance itself)."""
    serializer = PythonSerializer()
    for label, row in synthetic.demo_rows(seed):
        model = apps.get_model(label)
        yield from serializer.serialize(
            [model(**row)], use_natural_foreign_keys=True, use_natural_primary_keys=True
        )


def write_fixture(stream, seed=0):
    """Write a JSON array, one object per line (diffs stay readable). Returns the count."""
    count = 0
    stream.write("[\n")
    for obj in fixture_objects(seed):
        if count:
            stream.write(",\n")
        stream.write(json.dumps(obj, cls=DjangoJSONEncoder, ensure_ascii=False))
        count += 1
    stream.write("\n]\n")
    return count


class Command(BaseCommand):
    help = (
        "Write the demo fixture (natural keys, no database ids) from the deterministic "
        "generator in aidtracker/synthetic.py. The same seed gives the same file, "
        "byte for byte. No database is read or written."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="file to write, e.g. fixtures/demo.json")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, out, seed, **options):
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8", newline="\n") as stream:
            count = write_fixture(stream, seed)
        tmp.replace(path)  # never leave a half-written fixture behind
        self.stdout.write(f"Wrote {count} objects to {path}.")
