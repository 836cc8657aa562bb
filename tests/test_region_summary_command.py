"""`manage.py region_summary CODE [--from] [--to]`: the JSON, or a clear message and status 2."""

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from figures.summary import region_summary
from aidtracker.lib.periods import Period
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent


def run(*args):
    out = io.StringIO()
    call_command("region_summary", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_prints_the_summary_as_indented_json(world):
    f.SurgeryFactory(hospital=world.pulan, date=dt.date(2024, 5, 1))
    out = run("540000", "--from", "2024-01-01", "--to", "2024-12-31")
    expected = region_summary(world.tibet, Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    assert json.loads(out) == expected
    assert out.startswith('{\n  "region": {\n    "code": "540000",')
    assert json.loads(run("540000"))["period"] == {"from": None, "to": None}
    assert json.loads(run("540000", "--donor", "310000"))["programs"] == 1


@pytest.mark.django_db
def test_keeps_chinese_text_readable(world):
    world.tibet.name = "西藏自治区"
    world.tibet.save()
    assert '"name": "西藏自治区"' in run("540000")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args,message",
    [
        (["999999"], "No region has the code '999999'."),
        (["540200"], "540200 (Xigaze) is a prefecture"),
        (["540000", "--from", "2024-02-30"], "'from': '2024-02-30' is not a date"),
        (["540000", "--from", "2024-03-01", "--to", "2024-02-01"], "is after 'to'"),
        (["540000", "--specialty", "x"], "'specialty': 'x' is not a specialty code"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(world, args, message):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert message in str(error.value)
    assert error.value.returncode == 2


def test_bad_date_on_the_command_line_has_no_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/none.sqlite3"
    result = subprocess.run(
        [sys.executable, "manage.py", "region_summary", "540000", "--to", "2024-1-5"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "'to': '2024-1-5' is not a date; use YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
