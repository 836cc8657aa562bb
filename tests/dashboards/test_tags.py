from aidtracker.lib.templatetags.aidtracker_tags import optional_url, percent, signed_percent


def test_optional_url_tolerates_a_missing_url_name():
    assert optional_url("dashboards:program", "BJ-LHASA") == "/programs/BJ-LHASA/"
    assert optional_url("outcomes:no_such_page", 1) == ""


def test_percent_filters():
    assert percent(0.456, 1) == "45.6 %"
    assert percent(None) == "–"
    assert signed_percent(12.345) == "+12.3 %"
    assert signed_percent(-5) == "-5.0 %"
    assert signed_percent(None) == "–"
