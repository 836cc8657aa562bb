"""A coordinator's day in a real Chromium: sign in, log a surgery from the
keyboard, see it saved, follow "see where it counts" and find it counted on
the region dashboard."""

import os
import re

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def focused_on(page, name):
    """Wait until the autofocus has put the focus on the field `name`."""
    page.wait_for_function(f"document.activeElement && document.activeElement.name === {name!r}", timeout=5000)


@pytest.mark.browser
def test_coordinator_logs_a_surgery_from_the_keyboard(transactional_db, live_server, page, coordinator, artifacts_dir):
    from outcomes.models import Surgery

    page.goto(f"{live_server.url}/accounts/login/")
    focused_on(page, "username")
    # The username field has the focus: the whole sign-in is typed.
    page.keyboard.type("coord")
    page.keyboard.press("Tab")
    page.keyboard.type("pw")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    assert "coordinator" in page.locator(".user-menu").inner_text()

    page.get_by_role("link", name="Log a surgery").click()
    page.wait_for_url(re.compile(r"/surgeries/new/$"))
    # The date is today and the coordinator's only hospital is chosen: the
    # focus waits on the specialty, then the team (none), then the operation.
    focused_on(page, "specialty")
    page.keyboard.type("general s")  # type-ahead in the select
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("Laparoscopic appendectomy")
    page.keyboard.press("Tab")
    page.keyboard.type("grade 3")  # type-ahead in the select
    page.keyboard.press("Tab")
    page.keyboard.type("lap")
    page.keyboard.press("Tab")
    page.keyboard.type("local")
    page.keyboard.press("Tab")  # outcome: success by default
    page.keyboard.press("Tab")
    page.keyboard.type("50")  # blood loss
    page.screenshot(path=os.path.join(artifacts_dir, "coordinator-surgery-form.png"), full_page=True)
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/surgeries/\d+/$"))
    surgery = Surgery.objects.get()
    assert (surgery.procedure, surgery.grade, surgery.approach, surgery.lead, surgery.outcome,
            surgery.blood_loss_ml, surgery.hospital_id, surgery.specialty_id) == (
        "Laparoscopic appendectomy", 3, "laparoscopic", "local", "success", 50, "LS-PEOPLES",
        "general_surgery")
    assert "Saved surgery" in page.locator(".messages").inner_text()
    link = page.get_by_role("link", name="see where it counts")
    month = surgery.date.strftime("%Y-%m")
    assert re.search(
        rf"/regions/540000/\?date_after={month}-01&date_before={month}-\d\d$", link.get_attribute("href")
    )
    page.screenshot(path=os.path.join(artifacts_dir, "coordinator-surgery-saved.png"), full_page=True)

    # Where it counts: the region dashboard for that month shows the one
    # surgery, led by a local surgeon alone.
    link.click()
    page.wait_for_url(re.compile(r"/regions/540000/\?"))
    surgeries = page.locator(".card").filter(
        has=page.locator(".card__label", has_text=re.compile(r"^Surgeries$"))
    )
    assert surgeries.locator(".card__value").inner_text().strip() == "1"
    assert re.search(r"local surgeon alone\s+1", surgeries.inner_text())
    page.screenshot(path=os.path.join(artifacts_dir, "coordinator-surgery-counted.png"), full_page=True)

    # The next surgery starts where the last one left off.
    page.goto(f"{live_server.url}/surgeries/new/")
    focused_on(page, "procedure")
    assert page.locator("#id_hospital").input_value() == "LS-PEOPLES"
    assert page.locator("#id_specialty").input_value() == "general_surgery"
