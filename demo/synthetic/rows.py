"""The synthetic rows of what came of the deployments: surgeries, trainings,
techniques, referrals, consultations, indicators, and the demo's selection of
them (`demo_rows`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from aidtracker.lib.periods import add_months
from demo.synthetic.reference import PROGRAMS, TODAY
from demo.synthetic.vocabulary import (
    HOSPITAL_CASEMIX,
    PROCEDURES,
    SKILLS,
    TECHNIQUES,
    han_name,
    local_name,
)
from demo.synthetic.world import (
    PROGRAM_BY_RECIPIENT,
    TITLES,
    World,
    build_world,
    months,
    province_of_hospital,
    random_date,
    rng_for,
    weighted,
)

# --------------------------------------------------------------------------
# Outcomes
# --------------------------------------------------------------------------


def surgery_hospital_weights():
    """Recipients and their weight: surgical volume x months of logs."""
    weights = {}
    for spec in PROGRAMS:
        if spec.surgery_weight and spec.recipient in HOSPITAL_CASEMIX:
            weights[spec.recipient] = spec.surgery_weight * (TODAY - spec.start).days
    return weights


def lead_shares(years: float, grade: int):
    """(visiting, joint, local) shares: local surgeons lead more each year (skills stay)."""
    x = min(years / 9.0, 1.0)
    local = max(0.03, min(0.85, 0.08 + 0.62 * x - 0.07 * (grade - 2)))
    visiting = max(0.03, 0.55 - 0.45 * x + 0.06 * (grade - 2))
    joint = max(0.05, 1.0 - local - visiting)
    return visiting, joint, local


def surgeries(world: World, n: int, seed=0, ref_prefix="SRG", start_index=0):
    """Yield `n` surgeries (dicts) at the recipients, in date order within each batch
    of 10,000, refs `{ref_prefix}-{i:07d}` from `start_index`."""
    rng = rng_for(seed, f"surgeries:{ref_prefix}:{start_index}")
    weights = surgery_hospital_weights()
    chunk = 10_000
    made = 0
    while made < n:
        size = min(chunk, n - made)
        rows = [_one_surgery(world, rng, weights) for _ in range(size)]
        rows.sort(key=lambda r: (r["date"], r["hospital_id"]))
        for row in rows:
            row["ref"] = f"{ref_prefix}-{start_index + made:07d}"
            made += 1
            yield row


def _one_surgery(world, rng, weights):
    hospital = weighted(rng, weights)
    spec = PROGRAM_BY_RECIPIENT[hospital]
    day = random_date(rng, max(spec.start, dt.date(2015, 9, 1)), TODAY, skew=0.8)
    specialty = weighted(rng, HOSPITAL_CASEMIX[hospital])
    name, grade, approach, loss = rng.choice(PROCEDURES[specialty])
    years = (day - spec.start).days / 365.25
    visiting, joint, local = lead_shares(years, grade)
    lead = rng.choices(("visiting", "joint", "local"), weights=(visiting, joint, local))[0]
    team = world.team_on(spec.code, day)
    if team is None:
        lead = "local"  # no expert on site in a coverage gap
    demonstration = lead != "local" and grade >= 3 and rng.random() < 0.12
    first_in_region = lead == "visiting" and grade == 4 and rng.random() < 0.004
    p_death = 0.0004 * grade * grade
    p_complication = 0.01 + 0.01 * grade
    u = rng.random()
    outcome = "death" if u < p_death else "complication" if u < p_death + p_complication else "success"
    blood = None
    if loss is not None and rng.random() < 0.8:
        blood = rng.randint(*loss)
    return {
        "date": day, "hospital_id": hospital, "specialty_id": specialty, "procedure": name,
        "grade": grade, "approach": approach, "lead": lead,
        "team_id": team if lead != "local" else None,
        "demonstration": demonstration, "first_in_region": first_in_region,
        "outcome": outcome, "blood_loss_ml": blood,
    }


def techniques(world: World, seed=0):
    """Techniques introduced at the recipients, and the first operation of each
    surgical technique that was first in its region (a demonstration)."""
    rng = rng_for(seed, "techniques")
    rows, first_operations = [], []
    number = 0
    for hospital, (start, end, items) in TECHNIQUES.items():
        spec = PROGRAM_BY_RECIPIENT[hospital]
        dates = sorted(random_date(rng, start, end, skew=1.3) for _ in items)
        for (name, specialty, first), day in zip(items, dates):
            number += 1
            rows.append(
                {"ref": f"TQ-{number:04d}", "hospital_id": hospital, "specialty_id": specialty,
                 "name": name, "introduced_on": day, "program_id": spec.code,
                 "first_in_region": first}
            )
            procedure = _procedure_named(name)
            team = world.team_on(spec.code, day)
            if first and procedure and team:
                _, grade, approach, loss = procedure
                first_operations.append(
                    {"date": day, "hospital_id": hospital, "specialty_id": _surgical(specialty, name),
                     "procedure": name, "grade": grade, "approach": approach, "lead": "visiting",
                     "team_id": team, "demonstration": True, "first_in_region": True,
                     "outcome": "success", "blood_loss_ml": rng.randint(*loss) if loss else None}
                )
    return rows, first_operations


def _procedure_named(name):
    for items in PROCEDURES.values():
        for item in items:
            if item[0] == name:
                return item
    return None


def _surgical(specialty, name):
    for code, items in PROCEDURES.items():
        if any(item[0] == name for item in items) and code == specialty:
            return code
    for code, items in PROCEDURES.items():
        if any(item[0] == name for item in items):
            return code
    return specialty


def trainees_and_trainings(world: World, n: int, seed=0, ref_prefix="TRN", start_index=0,
                           trainee_prefix="T"):
    """Yield ("trainee", dict) and ("training", dict) items: `n` trainings of
    local trainees, one to three each, trainees before their trainings.
    Trainee codes are `{hospital}-{trainee_prefix}{number}`."""
    rng = rng_for(seed, f"trainings:{ref_prefix}:{start_index}")
    recipients = {s.recipient: s for s in PROGRAMS if s.batches}
    weights = {h: (TODAY - s.start).days * (0.15 if h == "PL-COUNTY" else 1.0)
               for h, s in recipients.items()}
    twinned = {}
    for t in world.twinnings:
        twinned.setdefault(t["program_id"], []).append(
            (t["specialty_id"], t["donor_hospital_id"], t["start_date"]))
    numbers: dict[str, int] = {}
    made = 0
    while made < n:
        hospital = weighted(rng, weights)
        spec = recipients[hospital]
        numbers[hospital] = numbers.get(hospital, 0) + 1
        role = weighted(rng, {"doctor": 64, "nurse": 26, "technician": 7, "manager": 3})
        code = f"{hospital}-{trainee_prefix}{numbers[hospital]:05d}"
        yield "trainee", {"code": code, "name": local_name(rng, province_of_hospital(hospital)),
                          "hospital_id": hospital, "role": role}
        day = random_date(rng, spec.start + dt.timedelta(days=30), TODAY - dt.timedelta(days=20), 0.85)
        # departments twinned by then (every program twins one from its start)
        pairs = [(s, d) for s, d, since in twinned.get(spec.code, ()) if since <= day]
        pairs = pairs or [(spec.extra_specialties[0], spec.main_donor)]
        if role == "nurse":
            specialty, donor = "nursing", spec.main_donor
        elif role == "manager":
            specialty, donor = "hospital_management", spec.main_donor
        else:
            specialty, donor = rng.choice(pairs)
        count = min(n - made, rng.choice((1, 1, 2, 2, 3)))
        kinds = ["onsite_course", "mentorship", "further_study"]
        for i in range(count):
            kind = kinds[i] if i < 3 and rng.random() < 0.75 else rng.choice(kinds)
            if day > TODAY:
                day = TODAY - dt.timedelta(days=rng.randint(0, 60))
            row = _one_training(rng, kind, specialty, donor, spec, day)
            made += 1
            row["ref"] = f"{ref_prefix}-{start_index + made:07d}"
            row["trainee_id"] = code
            yield "training", row
            day = (row["end_date"] or TODAY) + dt.timedelta(days=rng.randint(20, 200))


def _one_training(rng, kind, specialty, donor, spec, start):
    if kind == "onsite_course":
        end = start + dt.timedelta(days=rng.randint(0, 4))
        hours = Decimal(rng.randint(6, 40))
    elif kind == "mentorship":
        end = start + dt.timedelta(days=rng.randint(90, 365))
        hours = Decimal(rng.randint(60, 600)) if rng.random() < 0.6 else None
    else:
        end = start + dt.timedelta(days=rng.choice((91, 122, 183, 183, 274, 365)))
        hours = None
    status, independent = "completed", None
    if end > TODAY:
        status = "ongoing"
        if kind == "mentorship" and rng.random() < 0.5:
            end = None  # open-ended mentorship
    elif rng.random() < 0.04:
        status = "withdrawn"
    if status == "completed" and kind != "onsite_course" and rng.random() < 0.68:
        candidate = end + dt.timedelta(days=rng.randint(0, 90))
        independent = candidate if candidate <= TODAY else None
    skill_list = [p[0] for p in PROCEDURES.get(specialty, [])] + SKILLS.get(specialty, [])
    return {
        "specialty_id": specialty, "kind": kind,
        "host_hospital_id": donor if kind == "further_study" else None,
        "program_id": spec.code if rng.random() < 0.92 else None,
        "start_date": start, "end_date": end, "hours": hours, "status": status,
        "independent_on": independent,
        "skill": rng.choice(skill_list) if skill_list else "",
    }


# Neonatal transfers into Xinjiang Children's Hospital: origin, road km from Urumqi.
NEONATAL_ORIGINS = [
    ("KS-FIRST", None, 1480, 22),
    ("SC-COUNTY", None, 1640, 16),
    ("YC-MCH", None, 1700, 10),
    (None, "653130", 1290, 6),     # Bachu County
    (None, "653126", 1720, 6),     # Yecheng County, remote villages
    ("AKS-FIRST", None, 1010, 16),
    (None, "652926", 780, 4),      # Baicheng County
    ("HT-PEOPLES", None, 1510, 12),
    ("MY-COUNTY", None, 1530, 6),
    (None, "653226", 1380, 4),     # Yutian County
]
TIBET_TRANSFERS = {
    "LS-PEOPLES": [(None, "540121", 70), (None, "540500", 190), (None, "540600", 330)],
    "XG-PEOPLES": [(None, "540232", 540), (None, "540236", 480)],
    "NG-PEOPLES": [("PL-COUNTY", None, 110)],
}
REFERRAL_OUT = {
    "LS-PEOPLES": [("BJ-FRIENDSHIP", None, 3700), (None, "510000", 1250), ("BJ-ANZHEN", None, 3700)],
    "XG-PEOPLES": [("SH-RENJI", None, 4300), (None, "510000", 1500), ("SH-ZHONGSHAN", None, 4300)],
    "NY-PEOPLES": [("GD-PROVINCIAL", None, 3500), (None, "510000", 1100)],
    "PL-COUNTY": [(None, "610100", 3900), ("SN-PROVINCIAL", None, 3900), (None, "510000", 2400)],
    "KS-SECOND": [("SH-FIRST-MATERNITY", None, 5000), (None, "650000", 1480)],
    "XJ-CHILDREN": [("BJ-CHILDRENS", None, 3100), ("SH-SCMC", None, 4100)],
}
INTERNATIONAL = [
    # A two-year-old Polish boy, hepatoblastoma, Shanghai Children's Medical Center (2024).
    (dt.date(2024, 2, 5), "PL", "SH-SCMC", "child", "recovered"),
    (dt.date(2019, 7, 12), "NP", "PL-COUNTY", "adult", "recovered"),
    (dt.date(2021, 9, 3), "NP", "PL-COUNTY", "adult", "improved"),
    (dt.date(2023, 6, 20), "NP", "PL-COUNTY", "child", "recovered"),
    (dt.date(2024, 8, 14), "NP", "XG-PEOPLES", "adult", "recovered"),
    (dt.date(2018, 10, 9), "PK", "KS-SECOND", "adult", "recovered"),
    (dt.date(2023, 4, 27), "PK", "KS-SECOND", "adult", "improved"),
    (dt.date(2025, 5, 16), "PK", "KS-SECOND", "adult", "recovered"),
    (dt.date(2022, 11, 2), "KZ", "XJ-CHILDREN", "child", "recovered"),
    (dt.date(2024, 3, 18), "KZ", "XJ-CHILDREN", "child", "improved"),
    (dt.date(2025, 10, 7), "KG", "XJ-CHILDREN", "child", "recovered"),
    (dt.date(2025, 1, 22), "TJ", "XJ-CHILDREN", "neonate", "recovered"),
]


def referrals(world: World, seed=0):
    """Neonatal transfers (about 700 a year into Xinjiang Children's Hospital),
    transfers within Tibet, referrals out (falling as care stays local) and
    international patients."""
    rng = rng_for(seed, "referrals")
    rows = []
    # ~700 neonatal transfers a year from southern Xinjiang since the centre opened
    start = dt.date(2020, 12, 15)
    for month in months(start, TODAY):
        count = rng.randint(50, 66)
        last = min(add_months(month, 1) - dt.timedelta(days=1), TODAY)
        first = max(month, start)
        for _ in range(count):
            hospital, region, km, _ = rng.choices(NEONATAL_ORIGINS, weights=[o[3] for o in NEONATAL_ORIGINS])[0]
            distance = km + rng.randint(-40, 40) if region else km
            hours = round(2 * distance / 85 + rng.uniform(0, 3), 1)  # there and back, as reported
            rows.append(_referral(
                random_date(rng, first, last), "transfer_in", hospital, region, "",
                "XJ-CHILDREN", None, "neonate" if rng.random() < 0.93 else "child",
                distance, hours, _outcome(rng, 0.05)))
    for destination, origins in TIBET_TRANSFERS.items():
        for _ in range(rng.randint(60, 90)):
            hospital, region, km = rng.choice(origins)
            rows.append(_referral(
                random_date(rng, dt.date(2016, 1, 1), TODAY, 0.9), "transfer_in", hospital, region,
                "", destination, None, weighted(rng, {"adult": 6, "child": 2, "neonate": 2}),
                km, round(km / 55 + rng.uniform(0.5, 2), 1), _outcome(rng, 0.04)))
    for origin, destinations in REFERRAL_OUT.items():
        spec = PROGRAM_BY_RECIPIENT[origin]
        for _ in range(rng.randint(25, 60)):
            # referrals out fall over time: dates skewed towards the early years
            day = random_date(rng, spec.start - dt.timedelta(days=180), TODAY, skew=1.8)
            hospital, region, km = rng.choice(destinations)
            rows.append(_referral(
                day, "referral_out", origin, None, "", hospital, region,
                "child" if origin == "XJ-CHILDREN" else weighted(rng, {"adult": 8, "child": 2}),
                km, None, _outcome(rng, 0.03, unknown=0.2)))
    for day, country, hospital, age, outcome in INTERNATIONAL:
        rows.append(_referral(day, "international", None, None, country, hospital, None, age,
                              None, None, outcome))
    rows.sort(key=lambda r: (r["date"], r["kind"], r["destination_hospital_id"] or ""))
    for number, row in enumerate(rows, start=1):
        row["ref"] = f"REF-{number:06d}"
    return rows


def _referral(day, kind, origin_hospital, origin_region, country, dest_hospital, dest_region,
              age, distance, hours, outcome):
    return {
        "date": day, "kind": kind, "origin_hospital_id": origin_hospital,
        "origin_region_id": origin_region, "origin_country": country,
        "destination_hospital_id": dest_hospital, "destination_region_id": dest_region,
        "age_group": age,
        "distance_km": Decimal(distance).quantize(Decimal("0.1")) if distance is not None else None,
        "duration_hours": Decimal(str(hours)) if hours is not None else None,
        "outcome": outcome,
    }


def _outcome(rng, died, unknown=0.05):
    u = rng.random()
    if u < died:
        return "died"
    if u < died + unknown:
        return "unknown"
    return "recovered" if rng.random() < 0.72 else "improved"


def consultations(world: World, seed=0):
    """Consultations of the recipients by donor experts: on site from the start,
    remote (tele-consultation) more and more from 2018."""
    rng = rng_for(seed, "consultations")
    rows = []
    by_program = {}
    for t in world.twinnings:
        by_program.setdefault(t["program_id"], []).append(t)
    for spec in PROGRAMS:
        for month in months(spec.start, TODAY):
            onsite = 1 if rng.random() < 0.4 else 0
            remote = 0 if month.year < 2018 else rng.randint(0, 1 + (month.year - 2018) // 3)
            if spec.kind == "remote_support":
                remote, onsite = rng.randint(0, 1), 0
            last = min(add_months(month, 1) - dt.timedelta(days=1), TODAY)
            for mode, count in (("remote", remote), ("onsite", onsite)):
                for _ in range(count):
                    day = random_date(rng, max(month, spec.start), last)
                    active = [t for t in by_program[spec.code] if t["start_date"] <= day]
                    if not active:
                        continue
                    if mode == "onsite" and spec.batches and world.team_on(spec.code, day) is None:
                        continue  # nobody on site to consult
                    t = rng.choice(active)
                    rows.append({"date": day, "requesting_hospital_id": spec.recipient,
                                 "consulting_hospital_id": t["donor_hospital_id"],
                                 "specialty_id": t["specialty_id"], "mode": mode})
    rows.sort(key=lambda r: (r["date"], r["requesting_hospital_id"], r["specialty_id"]))
    for number, row in enumerate(rows, start=1):
        row["ref"] = f"CON-{number:06d}"
    return rows


# Monthly baselines before aid began: outpatient, inpatient, surgeries, outbound
# referrals, conditions treatable, neonatal deaths, live births (None = not kept).
INDICATOR_BASE = {
    "LS-PEOPLES": (24000, 1700, 520, 130, 170, 4.0, 330),
    "XG-PEOPLES": (17000, 1300, 380, 100, 140, 3.5, 290),
    "NY-PEOPLES": (11000, 850, 260, 70, 110, 2.0, 190),
    "KS-SECOND": (38000, 2900, 850, 90, 200, 7.0, 620),
    "XJ-CHILDREN": (58000, 3300, 880, 45, 260, 11.0, None),
    "PL-COUNTY": (1400, 55, 10, 12, 35, 0.4, 9),
}
INDICATORS = ("outpatient_visits", "inpatient_admissions", "surgeries_total",
              "outbound_referrals", "conditions_treatable", "neonatal_deaths", "live_births")
# yearly change once aid runs
INDICATOR_TREND = (0.06, 0.05, 0.08, -0.10, 0.10, -0.08, 0.01)
SEASON = {1: 0.97, 2: 0.84, 3: 1.0, 4: 1.01, 5: 1.02, 6: 1.01, 7: 1.06, 8: 1.06, 9: 1.0,
          10: 0.95, 11: 1.02, 12: 1.03}


def indicators(world: World, seed=0):
    """Monthly figures per recipient from a year before its first program to last month.

    Xinjiang Children's Hospital steps up when the regional centre opens
    (December 2020): surgeries about +44 %, outpatient visits about +40 %."""
    rng = rng_for(seed, "indicators")
    rows = []
    last_month = add_months(TODAY.replace(day=1), -1)
    for hospital, base in INDICATOR_BASE.items():
        spec = PROGRAM_BY_RECIPIENT[hospital]
        first = add_months(spec.start.replace(day=1), -12)
        for month in months(first, last_month):
            years = max(0.0, (month - spec.start).days / 365.25)
            for indicator, value, trend in zip(INDICATORS, base, INDICATOR_TREND):
                if value is None:
                    continue
                level = value * (1 + 0.015 * (month.year - first.year)) * (1 + trend) ** years
                if hospital == "XJ-CHILDREN" and month >= spec.start:
                    ramp = min(1.0, ((month.year - 2020) * 12 + month.month - 11) / 3)
                    # tuned so that the year after the opening is ~+44 % / +40 %
                    # on the year before (which had the pandemic's first months)
                    step = {"surgeries_total": 0.355, "outpatient_visits": 0.31,
                            "inpatient_admissions": 0.25, "conditions_treatable": 0.35}.get(indicator, 0)
                    level *= 1 + step * ramp
                    level /= (1 + trend) ** years  # the step, not a yearly trend
                    level *= 1.02 ** years
                if indicator == "conditions_treatable":
                    # a count that grows in steps, not with the seasons
                    rows.append(_indicator(hospital, month, indicator, int(level)))
                    continue
                level *= SEASON[month.month] if indicator != "neonatal_deaths" else 1.0
                if month.year == 2020 and month.month in (2, 3):
                    level *= 0.72  # the first months of the pandemic
                noise = rng.gauss(1.0, 0.04 if level > 50 else 0.25)
                rows.append(_indicator(hospital, month, indicator, max(0, round(level * noise))))
    return rows


def _indicator(hospital, month, indicator, value):
    return {"hospital_id": hospital, "period": month, "indicator": indicator,
            "value": Decimal(value)}


# --------------------------------------------------------------------------
# The demo
# --------------------------------------------------------------------------

DEMO_SURGERIES = 5000
DEMO_TRAININGS = 650


def demo_rows(seed=0):
    """Every row of the demo, as (model label, dict) in dependency order."""
    world = build_world(seed)
    yield from (("hospitals.region", r) for r in world.regions)
    yield from (("hospitals.hospital", r) for r in world.hospitals)
    yield from (("deployments.program", r) for r in world.programs)
    yield from (("deployments.twinning", r) for r in world.twinnings)
    yield from (("deployments.team", r) for r in world.teams)
    yield from (("deployments.person", r) for r in world.people)
    yield from (("deployments.rotation", r) for r in world.rotations)
    trainees, trainings = [], []
    for kind, row in trainees_and_trainings(world, DEMO_TRAININGS, seed):
        (trainees if kind == "trainee" else trainings).append(row)
    yield from (("outcomes.trainee", r) for r in trainees)
    trainings.sort(key=lambda r: (r["start_date"], r["trainee_id"], r["kind"]))
    for number, row in enumerate(trainings, start=1):
        row["ref"] = f"TRN-{number:06d}"
        yield "outcomes.training", row
    technique_rows, first_operations = techniques(world, seed)
    yield from (("outcomes.technique", r) for r in technique_rows)
    operations = list(surgeries(world, DEMO_SURGERIES - len(first_operations), seed)) + first_operations
    operations.sort(key=lambda r: (r["date"], r["hospital_id"], r["procedure"]))
    for number, row in enumerate(operations, start=1):
        row["ref"] = f"SRG-{number:07d}"
        yield "outcomes.surgery", row
    yield from (("outcomes.referral", r) for r in referrals(world, seed))
    yield from (("outcomes.consultation", r) for r in consultations(world, seed))
    yield from (("outcomes.indicatorvalue", r) for r in indicators(world, seed))


# --------------------------------------------------------------------------
# Benchmarks: more rotations at any scale
# --------------------------------------------------------------------------


def extra_rotations(world: World, k: int, seed=0, tag="G", next_batch=None):
    """Yield ("person" | "team" | "rotation", dict) items: `k` rotations in new
    short-term expert groups (30 to 180 days) of the programs that send teams.

    Items come in insertable order (a team and its people before its
    rotations). Teams of a program are made in date order and a person is
    reused only once their last rotation has ended, so no two rotations of
    one person overlap. `next_batch` maps a program code to its first free
    batch number (default: after the reference world's batches)."""
    import heapq

    rng = rng_for(seed, f"rotations:{tag}")
    specs = [s for s in PROGRAMS if s.batches]
    if next_batch is None:
        next_batch = {s.code: len(s.batches) + 1 for s in specs}
    twinned = {}
    for t in world.twinnings:
        twinned.setdefault(t["program_id"], []).append((t["specialty_id"], t["donor_hospital_id"]))
    # share of the k rotations per program: by its usual team size
    weights = [sum(s.team_size) for s in specs]
    total = sum(weights)
    quotas = [k * w // total for w in weights]
    quotas[0] += k - sum(quotas)
    person_number = 0
    for spec, quota in zip(specs, quotas):
        if not quota:
            continue
        sizes = []
        while sum(sizes) < quota:
            sizes.append(min(rng.randint(*spec.team_size), quota - sum(sizes)))
        starts = sorted(random_date(rng, spec.start, TODAY) for _ in sizes)
        free = []  # heap of (first free day, person code, specialty, home hospital)
        batch = next_batch[spec.code]
        for size, start in zip(sizes, starts):
            if batch > 32767:
                raise ValueError(
                    f"Program {spec.code} would need batch number {batch}; batches stop at 32767. "
                    "Ask for fewer rotations."
                )
            end = start + dt.timedelta(days=rng.randint(30, 180))
            code = f"{spec.code}-{tag}-{batch:05d}"
            yield "team", {"code": code, "program_id": spec.code, "batch": batch,
                           "name": f"Short-term expert group {batch} ({spec.code})",
                           "name_zh": f"短期专家组 {batch}（{spec.code}）",
                           "start_date": start, "end_date": end}
            batch += 1
            for slot in range(size):
                if free and free[0][0] <= start and rng.random() < 0.6:
                    _, person, specialty, home = heapq.heappop(free)
                else:
                    if rng.random() < 0.7 and twinned.get(spec.code):
                        specialty, home = rng.choice(twinned[spec.code])
                    else:
                        specialty, home = rng.choice(spec.extra_specialties), spec.main_donor
                    person_number += 1
                    person = f"{home}-{tag}-{person_number:06d}"
                    yield "person", {"code": person, "name": han_name(rng), "home_hospital_id": home}
                r_start, r_end = start, end
                if rng.random() < 0.3:
                    r_start = start + dt.timedelta(days=rng.randint(0, (end - start).days // 2))
                role = "leader" if slot == 0 else "member"
                title = "chief" if role == "leader" else weighted(rng, TITLES)
                if specialty == "nursing":
                    title = "nurse"
                yield "rotation", {"team_id": code, "person_id": person, "specialty_id": specialty,
                                   "title": title, "role": role,
                                   "start_date": r_start, "end_date": r_end}
                heapq.heappush(free, (r_end + dt.timedelta(days=1), person, specialty, home))
