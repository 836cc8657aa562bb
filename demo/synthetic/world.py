"""The synthetic world: seeded random helpers, and the teams, people and
rotations of every program (`build_world`)."""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field

from aidtracker.lib.periods import add_months
from demo.synthetic.reference import HOSPITALS, ORDINALS, PROGRAMS, REGIONS, ProgramSpec, chinese_number
from demo.synthetic.vocabulary import han_name

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def rng_for(seed, section: str) -> random.Random:
    """One generator per section, seeded with a string (stable across Python versions)."""
    return random.Random(f"aidtracker:{seed}:{section}")


def random_date(rng: random.Random, start: dt.date, end: dt.date, skew: float = 1.0) -> dt.date:
    """A date in [start, end]; skew < 1 favours later dates (volumes grow over time)."""
    span = (end - start).days
    return start + dt.timedelta(days=int(span * rng.random() ** skew))


def months(start: dt.date, end: dt.date):
    """First days of the months from `start`'s to `end`'s, both included."""
    day = start.replace(day=1)
    while day <= end:
        yield day
        day = add_months(day, 1)


def weighted(rng: random.Random, table: dict):
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


PROVINCE_OF_REGION = {}
for _code, _n, _z, _level, _parent in REGIONS:
    PROVINCE_OF_REGION[_code] = _code if _parent is None else PROVINCE_OF_REGION[_parent]
HOSPITAL_REGION = {h[0]: h[3] for h in HOSPITALS}
PROGRAM_BY_RECIPIENT = {}
for _p in PROGRAMS:
    if _p.batches:  # the program with teams speaks for the recipient
        PROGRAM_BY_RECIPIENT.setdefault(_p.recipient, _p)


def province_of_hospital(code: str) -> str:
    return PROVINCE_OF_REGION[HOSPITAL_REGION[code]]


# --------------------------------------------------------------------------
# The reference world: regions to rotations
# --------------------------------------------------------------------------


@dataclass
class World:
    regions: list = field(default_factory=list)
    hospitals: list = field(default_factory=list)
    programs: list = field(default_factory=list)
    twinnings: list = field(default_factory=list)
    teams: list = field(default_factory=list)
    people: list = field(default_factory=list)
    rotations: list = field(default_factory=list)
    # program code -> sorted [(start, end, team code)], for "which team was on site"
    team_periods: dict = field(default_factory=dict)

    def team_on(self, program_code: str, day: dt.date):
        """The code of the program's team whose dates cover `day`, or None (a gap)."""
        periods = self.team_periods.get(program_code, [])
        i = bisect.bisect_right(periods, (day, dt.date.max, "")) - 1
        if i >= 0 and periods[i][0] <= day <= periods[i][1]:
            return periods[i][2]
        return None


TITLES = {"chief": 20, "associate_chief": 34, "attending": 30, "nurse": 11, "technician": 5}


def build_world(seed=0) -> World:
    """Regions, hospitals, programs, twinnings, teams, people and rotations."""
    world = World()
    for code, name, name_zh, level, parent in REGIONS:
        world.regions.append(
            {"code": code, "name": name, "name_zh": name_zh, "level": level, "parent_id": parent}
        )
    for code, name, name_zh, region, grade, kind in HOSPITALS:
        world.hospitals.append(
            {"code": code, "name": name, "name_zh": name_zh, "region_id": region,
             "grade": grade, "kind": kind}
        )
    rng = rng_for(seed, "world")
    person_numbers: dict[str, int] = {}
    for spec in PROGRAMS:
        world.programs.append(
            {"code": spec.code, "name": spec.name, "name_zh": spec.name_zh, "kind": spec.kind,
             "donor_region_id": spec.donor, "recipient_hospital_id": spec.recipient,
             "start_date": spec.start, "end_date": None}
        )
        for specialty, donor, start in spec.twinnings:
            world.twinnings.append(
                {"program_id": spec.code, "specialty_id": specialty, "donor_hospital_id": donor,
                 "start_date": start, "end_date": None}
            )
        _build_teams(world, spec, rng, person_numbers)
    return world


def _build_teams(world: World, spec: ProgramSpec, rng: random.Random, person_numbers: dict):
    """Numbered batches of one program, their people and rotations.

    Batches never overlap, so a person who returns in a later batch (about
    one in eight places) never has overlapping rotations; one leader serves
    three batches in a row."""
    periods = []
    pool = []  # people of this program who may return: (person dict, specialty)
    long_leader = None
    for batch, (start, end) in enumerate(spec.batches, start=1):
        code = f"{spec.code}-B{batch:02d}"
        world.teams.append(
            {"code": code, "program_id": spec.code, "batch": batch,
             "name": spec.team_name.format(ordinal=ORDINALS[batch - 1], batch=batch),
             "name_zh": spec.team_name_zh.format(batch=chinese_number(batch)),
             "start_date": start, "end_date": end}
        )
        periods.append((start, end, code))
        active = [t for t in spec.twinnings if t[2] <= start]
        size = rng.randint(*spec.team_size)
        slots = []
        # the leader
        slots.append(("leader", "hospital_management" if rng.random() < 0.4 else active[0][0],
                      spec.main_donor))
        # paired directors of twinned departments (the regional centre pairs every one)
        for specialty, donor, _ in active:
            if spec.kind == "regional_center" or rng.random() < 0.35:
                slots.append(("paired_director", specialty, donor))
        while len(slots) < size:
            if rng.random() < 0.7 and active:
                specialty, donor, _ = rng.choice(active)
            else:
                specialty, donor = rng.choice(spec.extra_specialties), spec.main_donor
            slots.append(("member", specialty, donor))

        used = set()
        for role, specialty, donor in slots:
            person = None
            if role == "leader" and spec.code == "BJ-LHASA" and batch in (6, 7, 8):
                # one leader for three batches in a row
                if long_leader is None:
                    long_leader = _new_person(world, rng, donor, person_numbers)
                person = long_leader
            elif role != "leader" and pool and rng.random() < 0.13:
                candidate, cand_specialty = rng.choice(pool)
                if candidate["code"] not in used:
                    person, specialty = candidate, cand_specialty
            if person is None:
                person = _new_person(world, rng, donor, person_numbers)
                pool.append((person, specialty))
            if person["code"] in used:
                continue
            used.add(person["code"])
            if role == "leader":
                title = "chief" if rng.random() < 0.7 else "administrator"
            elif role == "paired_director":
                title = "chief" if rng.random() < 0.6 else "associate_chief"
            elif specialty == "nursing":
                title = "nurse"
            else:
                title = weighted(rng, TITLES)
                if title == "nurse" and specialty not in ("critical_care", "neonatology", "nursing"):
                    title = "attending"
            r_start, r_end = start, end
            if role == "member" and rng.random() < 0.3:
                # short-term experts: one to five months inside the batch
                length = rng.randint(30, 150)
                latest = (end - start).days - length
                if latest > 0:
                    r_start = start + dt.timedelta(days=rng.randint(0, latest))
                    r_end = r_start + dt.timedelta(days=length)
            world.rotations.append(
                {"team_id": code, "person_id": person["code"], "specialty_id": specialty,
                 "title": title, "role": role, "start_date": r_start, "end_date": r_end}
            )
    world.team_periods[spec.code] = periods


def _new_person(world: World, rng: random.Random, hospital: str, numbers: dict) -> dict:
    numbers[hospital] = numbers.get(hospital, 0) + 1
    person = {"code": f"{hospital}-{numbers[hospital]:04d}", "name": han_name(rng),
              "home_hospital_id": hospital}
    world.people.append(person)
    return person


