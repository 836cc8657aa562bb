"""The program page's cards: figures.program.program_summary as cards, each
linking to the record list of its rows, filtered so that the list's count
(rows, or distinct trainees or experts) equals the figure."""

from django.utils.translation import gettext as _

from dashboards.links import (
    card,
    list_url,
    part,
    share_text,
    techniques_card,
    trainee_cards,
    without_list_links,
)


def program_cards(summary, program, params, links=True):
    """The cards of a program's figures (`summary`: program_summary(...)),
    `params` the page's valid filters (period, specialty), as URL
    parameters. A remote-support program leads with its consultations and
    shows no on-site figure that it has none of (it sends no team to stay).
    Without `links` (viewers) the cards link nowhere."""
    s, sg, tw, tr = summary, summary["surgeries"], summary["twinned_department_surgeries"], summary["trainees"]
    mine = {"program": program.code, **params}
    at_hospital = {"hospital": program.recipient_hospital_id, **params}
    twinned_p = {"twinned_in": program.code, **params}
    no_spec = {**mine, "specialty": None}
    hospital_name = str(program.recipient_hospital)

    def surgeries_url(p, **extra):
        return list_url("outcomes:surgery_list", p, **extra)

    consultations = card(
        _("Consultations"), s["consultations"], list_url("outcomes:consultation_list", mine),
        note=_("given to the recipient hospital by the donor's hospitals"), accent=s["remote"],
    )
    on_site = [
        card(_("Teams"), s["teams"], list_url("dashboards:team_list", no_spec),
             note=_("batches active in the period"),
             wide=_("whatever the specialty") if params.get("specialty") else ""),
        card(_("Experts"), s["experts"], list_url("deployments:rotation_list", mine),
             note=_("distinct people on site in the period")),
        card(_("Expert-days"), s["expert_days"], list_url("deployments:rotation_list", mine),
             note=_("days on site within the period")),
    ]
    twinned = card(
        _("Led by local surgeons alone"), share_text(tw["local_share_percent"]),
        surgeries_url(twinned_p, lead="local"), number=tw["local_share_percent"],
        parts=[
            part(_("local surgeon alone"), tw["by_lead"]["local"], surgeries_url(twinned_p, lead="local")),
            part(_("jointly"), tw["by_lead"]["joint"], surgeries_url(twinned_p, lead="joint")),
            part(_("visiting expert"), tw["by_lead"]["visiting"], surgeries_url(twinned_p, lead="visiting")),
            part(_("all surgeries there"), tw["total"], surgeries_url(twinned_p)),
        ],
        note=_("of the departments the program twins, whoever led them"), accent=not s["remote"],
    )
    cards = [
        card(_("Surgeries at the recipient hospital"), sg["total"], surgeries_url(at_hospital), parts=[
            part(_("visiting expert"), sg["by_lead"]["visiting"], surgeries_url(at_hospital, lead="visiting")),
            part(_("jointly"), sg["by_lead"]["joint"], surgeries_url(at_hospital, lead="joint")),
            part(_("local surgeon alone"), sg["by_lead"]["local"], surgeries_url(at_hospital, lead="local")),
        ], note=_("at %(hospital)s, whoever led them") % {"hospital": hospital_name}),
        card(_("Complex surgeries"), sg["by_grade"]["3"] + sg["by_grade"]["4"], None, parts=[
            part(_("grade %(grade)s") % {"grade": g}, sg["by_grade"][g], surgeries_url(at_hospital, grade=g))
            for g in ("1", "2", "3", "4")
        ], note=_("grade 3 and 4, at the recipient hospital")),
        twinned,
        card(_("Twinned departments"), s["twinned_departments"], "#remote-title" if s["remote"] else "#coverage-title",
             note=_("twinnings active in the period")),
        *on_site,
        *trainee_cards(tr, mine, params, _("distinct local trainees of the program's trainings")),
        techniques_card(s["techniques"], mine),
        consultations,
    ]
    if s["remote"]:
        # Judged by its consultations: they lead; no team on site is no failure.
        cards.remove(consultations)
        cards.insert(0, consultations)
        for c in on_site:
            if not c["value"]:
                cards.remove(c)
        if not tw["total"]:
            cards.remove(twinned)
    return cards if links else without_list_links(cards)
