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


@pytest.fixture
def donor_side(world, records, django_user_model):
    """The records of the donors' side, for officials of donor provinces:
    named rows beside `records`, and officials of Beijing, Shanghai and
    Tibet. Beijing donates BJ-LHASA and BJ-XJ (records' teams BJ-LHASA-1 and
    BJ-XJ-1 and their rotations); Shanghai donates SH-XIGAZE, which twins
    Xigaze's obstetrics department with Renji and has a team SH-XIGAZE-1."""
    from tests.conftest import _make_user

    w = world
    obstetrics = f.specialty("obstetrics_gynecology")
    sh_team = f.TeamFactory(code="SH-XIGAZE-1", program=w.sh_xigaze, batch=1)
    zhongshan = f.HospitalFactory(code="SH-ZHONGSHAN", name="Zhongshan Hospital", region=w.shanghai)
    rows = {
        "sh_twinning": f.TwinningFactory(program=w.sh_xigaze, specialty=obstetrics, donor_hospital=w.renji),
        # A local surgeon's operation in the department Shanghai twins (no team).
        "sh_twinned_surgery": f.SurgeryFactory(hospital=w.xigaze_peoples, specialty=obstetrics, lead="local"),
        # The same hospital, a department nobody twins: Tibet's, no donor's.
        "untwinned_surgery": f.SurgeryFactory(hospital=w.xigaze_peoples, lead="local"),
        # Shanghai's team operating outside its program's region.
        "sh_team_surgery": f.SurgeryFactory(hospital=w.xj_children, team=sh_team),
        "sh_rotation": f.RotationFactory(team=sh_team, person=f.PersonFactory(home_hospital=w.renji)),
        "bj_training": f.TrainingFactory(trainee=f.TraineeFactory(hospital=w.lhasa_peoples), program=w.bj_lhasa),
        "sh_training": f.TrainingFactory(trainee=f.TraineeFactory(hospital=w.xigaze_peoples), program=w.sh_xigaze),
        # Further study hosted by Renji, of no program, of a Xinjiang trainee.
        "sh_hosted": f.TrainingFactory(trainee=f.TraineeFactory(hospital=w.xj_children), kind="further_study",
                                       host_hospital=w.renji),
        "bj_technique": f.TechniqueFactory(hospital=w.lhasa_peoples, program=w.bj_lhasa),
        "sh_technique": f.TechniqueFactory(hospital=w.xigaze_peoples, program=w.sh_xigaze),
        "sh_team": sh_team,
        "zhongshan": zhongshan,
    }
    users = {
        "beijing": _make_user(django_user_model, "official_beijing", "official", regions=[w.beijing]),
        "shanghai": _make_user(django_user_model, "official_shanghai", "official", regions=[w.shanghai]),
        "tibet": _make_user(django_user_model, "official_tibet", "official", regions=[w.tibet]),
    }
    return {"rows": rows, "users": users, "records": records}
