"""A deterministic synthetic world for the demo fixture and for benchmarks.

Built on the real hospitals and programs of the seed articles, with real
GB/T 2260 region codes: Beijing's, Shanghai's, Guangdong's and Shaanxi's
medical teams in Tibet (Lhasa, Xigaze, Nyingchi, Burang), Shanghai's group
aid in Kashgar and Beijing Children's Hospital's regional paediatric centre
at Xinjiang Children's Hospital in Urumqi. People, numbers and dates are
invented; no person named in the articles appears, and there are no patient
identifiers anywhere.

Everything is drawn from `random.Random` seeded with a string (stable across
Python versions), one generator per section so that changing one section
does not reshuffle the others. Same seed, same rows.

Every function returns or yields plain dicts of model attribute names
(`hospital_id`, not `hospital`), which the fixture writer turns into model
instances and `generate_data` into COPY rows or `bulk_create` batches.
Every row satisfies the models' constraints and `clean()`: dates ordered,
numbers not negative, a host hospital exactly for further study, referral
ends that fit their kind, and no overlapping rotations of one person.
"""

from demo.synthetic.reference import FIRST_DAY, TODAY  # noqa: F401
from demo.synthetic.rows import (  # noqa: F401
    demo_rows,
    extra_rotations,
    surgeries,
    trainees_and_trainings,
)
from demo.synthetic.world import World, build_world  # noqa: F401
