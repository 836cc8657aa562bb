"""The region dashboard's section "Patient movements and outcomes": the
figures of figures/movements.py as tables, each count with the link to its
rows (templates/dashboards/movements.html), and the same tables for the
figures download (dashboards/downloads.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from aidtracker.lib.templatetags.bilingual import name_for_language
from dashboards.links import list_url
from figures.movements import OUTCOMES


def outcome_labels() -> list[tuple[str, str]]:
    """(code, label) of the outcomes the tables split referrals by."""
    return [("recovered", _("recovered")), ("improved", _("improved")), ("died", _("died")),
            ("unknown", _("unknown")), ("none", _("not given"))]


def movement_section(figures, list_params, links=True, hospital=False) -> dict:
    """The section's context from `figures` (figures.movements.movements):
    {"transfers_in", "referrals_out": year rows with "url" (the referrals
    list of that kind and year) and "outcomes" [{"code", "n", "url"}],
    "distance_url" (the same list, by distance); "conditions_treatable"
    with each hospital's page; "neonatal"; "outcome_labels"}.
    `list_params`: what narrows the referrals list to the figures' rows
    ({"region": code}, or {"for_hospital": code} for one hospital's, with
    `hospital` true: the notes then speak of the hospital). Without
    `links` (viewers) every list link is None."""
    def referral_rows(rows, kind):
        out = []
        for row in rows:
            p = {**list_params, "kind": kind, "date_after": row["period"].start.isoformat(),
                 "date_before": row["period"].end.isoformat()}
            out.append({
                **row,
                "url": list_url("outcomes:referral_list", p) if links else None,
                "distance_url": list_url("outcomes:referral_list", p, sort="distance") if links else None,
                "outcome_cells": [
                    {"code": code, "n": row["outcomes"][code],
                     "url": list_url("outcomes:referral_list", p, outcome=code) if links else None}
                    for code in OUTCOMES
                ],
            })
        return out

    treatable, neonatal = figures["conditions_treatable"], figures["neonatal"]
    transfers_in = referral_rows(figures["transfers_in"], "transfer_in")
    referrals_out = referral_rows(figures["referrals_out"], "referral_out")
    windows = [
        (label % {"first": f"{w['from']:%Y-%m}", "last": f"{w['to']:%Y-%m}"}, w)
        for label, w in (
            (_("Before: %(first)s to %(last)s, the 12 months before the first program"), neonatal["before"]),
            (_("After: %(first)s to %(last)s, the latest 12 months reported"), neonatal["after"]),
        ) if w
    ]
    return {
        "transfers_in": transfers_in,
        "referrals_out": referrals_out,
        "referral_tables": [
            (_("Transfers in per year"), transfers_in,
             _("Patients brought to the hospital, by the year of the transfer; distance and duration are "
               "the medians of the transfers that report them.") if hospital else
             _("Patients brought to the region's hospitals, by the year of the transfer; distance and "
               "duration are the medians of the transfers that report them.")),
            (_("Referrals out of the region per year"), referrals_out,
             _("Patients the hospital sent out of the region: fewer means more is treatable at home.")
             if hospital else
             _("Patients the region's hospitals sent out of the region: fewer means more is treatable at home.")),
        ],
        "neonatal_rows": [(str(r["year"]), r) for r in neonatal["years"]] + windows,
        "of_hospital": hospital,
        "conditions_treatable": {
            **treatable,
            "hospitals": [{**h, "display_name": name_for_language(h["name"], h["name_zh"]),
                           "url": reverse("dashboards:hospital", args=[h["code"]])}
                          for h in treatable["hospitals"]],
        },
        "neonatal": figures["neonatal"],
        "outcome_labels": outcome_labels(),
    }

