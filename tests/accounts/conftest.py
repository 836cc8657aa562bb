"""Records in and out of the actors' scope, for the access matrix and scope tests."""

import pytest

from tests import factories as f


@pytest.fixture
def records(world):
    """kind -> {"in": record, "out": record}."""
    w = world
    xj_program = f.ProgramFactory(
        code="BJ-XJ", donor_region=w.beijing, recipient_hospital=w.xj_children
    )
    team_in = f.TeamFactory(code="BJ-LHASA-1", program=w.bj_lhasa, batch=1)
    team_out = f.TeamFactory(code="BJ-XJ-1", program=xj_program, batch=1)
    return {
        "surgery": {
            "in": f.SurgeryFactory(hospital=w.lhasa_peoples, team=team_in),
            "out": f.SurgeryFactory(hospital=w.xj_children),
        },
        "training": {
            "in": f.TrainingFactory(trainee=f.TraineeFactory(hospital=w.lhasa_peoples)),
            "out": f.TrainingFactory(trainee=f.TraineeFactory(hospital=w.xj_children)),
        },
        "technique": {
            "in": f.TechniqueFactory(hospital=w.lhasa_peoples),
            "out": f.TechniqueFactory(hospital=w.xj_children),
        },
        "referral": {
            "in": f.ReferralFactory(origin_region=w.ngari, destination_hospital=w.lhasa_peoples),
            "out": f.ReferralFactory(origin_region=w.urumqi, destination_hospital=w.xj_children),
        },
        "consultation": {
            "in": f.ConsultationFactory(requesting_hospital=w.lhasa_peoples, consulting_hospital=w.renji),
            "out": f.ConsultationFactory(requesting_hospital=w.xj_children, consulting_hospital=w.renji),
        },
        "rotation": {
            "in": f.RotationFactory(team=team_in, person=f.PersonFactory(home_hospital=w.bj_friendship)),
            "out": f.RotationFactory(team=team_out, person=f.PersonFactory(home_hospital=w.bj_friendship)),
        },
    }
