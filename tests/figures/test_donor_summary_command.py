"""`manage.py donor_summary CODE [--from] [--to] [--specialty] [--recipient]`:
the JSON of donor_summary(), or a clear message and exit status 2."""

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from aidtracker.lib.periods import Period
from figures.summary import donor_summary
from tests.support.bundles import DATA, load_bundle

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = DATA / "donor_bundle"


def run(*args):
    out = io.StringIO()
    call_command("donor_summary", *args, stdout=out)
    return out.getvalue()


def expected(name):
    return json.loads((BUNDLE / name).read_text(encoding="utf-8"))


@pytest.fixture
def bundle(db):
    load_bundle(BUNDLE)


@pytest.mark.parametrize(
    "args,file",
    [
        (["110000", "--from", "2024-01-01", "--to", "2024-12-31"], "expected_110000_2024.json"),
        (["310000", "--from", "2024-06-15"], "expected_310000_2024-06-15-.json"),
        (["110000", "--from", "2024-01-01", "--to", "2024-12-31", "--specialty", "orthopedics"],
         "expected_110000_2024_orthopedics.json"),
        (["110000", "--from", "2024-01-01", "--to", "2024-12-31", "--recipient", "650000"],
         "expected_110000_2024_recipient-650000.json"),
    ],
)
def test_prints_the_hand_derived_summary_as_indented_json(bundle, args, file):
    out = run(*args)
    want = expected(file)
    assert out == json.dumps(want, indent=2, ensure_ascii=False) + "\n"  # key order too


def test_prints_what_the_function_returns(bundle):
    out = run("310000", "--from", "2024-01-01", "--to", "2024-12-31")
    assert json.loads(out) == donor_summary("310000", Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    assert out.startswith('{\n  "donor": {\n    "code": "310000",')
    assert json.loads(run("110000")) == donor_summary("110000")
    assert json.loads(run("110000"))["period"] == {"from": None, "to": None}


@pytest.mark.parametrize(
    "args,message",
    [
        (["999999"], "No region has the code '999999'."),
        (["310100"], "310100 (Shanghai Municipal Districts) is a prefecture"),
        (["110000", "--from", "2024-02-30"], "'from': '2024-02-30' is not a date"),
        (["110000", "--to", "31/12/2024"], "'to': '31/12/2024' is not a date"),
        (["110000", "--from", "2024-03-01", "--to", "2024-02-01"], "'from' (2024-03-01) is after 'to' (2024-02-01)"),
        (["110000", "--specialty", "x"], "'specialty': 'x' is not a specialty code"),
        (["110000", "--recipient", "540100"], "'recipient': '540100' is not the code of a province-level region"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(bundle, args, message):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert message in str(error.value)
    assert error.value.returncode == 2


def test_bad_date_on_the_command_line_has_no_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/none.sqlite3"
    result = subprocess.run(
        [sys.executable, "manage.py", "donor_summary", "110000", "--from", "2024-06-31"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "'from': '2024-06-31' is not a date; use YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
