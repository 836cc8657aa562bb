"""What bulk writes announce, for the data derived from the rows they write.

Django's model signals announce each saved or deleted instance, but not a
bulk_create, nor a queryset's update or delete of many rows. The querysets
of the models with derived data (programs, people and rotations in
deployments/; surgeries, trainings and trainees in outcomes/; hospitals
and regions when they move, in hospitals/) run such writes inside
`bulk_write(...)`, which

- runs them in one transaction with the upkeep of the derived data;
- sends `rows_writing` before the write: a receiver reads what it needs of
  the rows as they were and may return a callable, run after the write;
- sends `rows_written` after it, with what the queryset says it touched;
- mutes the per-row upkeep that model signals would do meanwhile
  (`per_row_upkeep_muted()`): one set-based update after the write instead.

The models only send; deployments/rollups.py and outcomes/rollups.py keep
the rollups exact on these signals (connected in their apps.py), so the
models import nothing of the rollups.
"""

import contextlib
import threading

from django.db import transaction
from django.dispatch import Signal

#: Before a bulk write; sender: the model; kwargs: using, and what the
#: queryset passes (e.g. trainees=codes). A receiver may return a callable.
rows_writing = Signal()
#: After a bulk write; sender: the model; kwargs: using, and what the
#: queryset says it touched (None for a value: everything may have changed).
rows_written = Signal()

_state = threading.local()


def per_row_upkeep_muted() -> bool:
    """True inside bulk_write() or muted_upkeep(): model-signal receivers that
    keep derived data exact leave it to the set-based update that follows."""
    return getattr(_state, "muted", False)


@contextlib.contextmanager
def muted_upkeep():
    """Mute the per-row upkeep of derived data inside the block (a bulk path
    that rebuilds the derived data itself afterwards)."""
    previous = per_row_upkeep_muted()
    _state.muted = True
    try:
        yield
    finally:
        _state.muted = previous


@contextlib.contextmanager
def bulk_write(model, using, **before):
    """Run a bulk write of `model`'s rows (the block) in one transaction with
    the upkeep of their derived data: `rows_writing` is sent with `before`
    first, `rows_written` after the block with what the block put into the
    dict this yields (what it touched), then the callables the receivers of
    `rows_writing` returned are run. Per-row upkeep is muted throughout."""
    touched = {}
    with transaction.atomic(using=using, savepoint=False), muted_upkeep():
        responses = rows_writing.send(sender=model, using=using, **before)
        then = [response for _receiver, response in responses if callable(response)]
        yield touched
        rows_written.send(sender=model, using=using, **touched)
        for callback in then:
            callback()
