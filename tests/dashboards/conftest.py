import pytest

from tests.dashboards.data import build


@pytest.fixture
def dash(db):
    """make_world() plus teams, rotations and dated outcome rows."""
    return build(scale=1)


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client
