"""The monthly indicator form of a hospital (/hospitals/<code>/indicators/):
one month, every indicator of the contract's code list in one form, the
previous month's values beside the new ones. Admins, and coordinators of a
program the hospital receives (accounts.scope.can_edit_hospital); the
response rule of accounts.scope (role 403, hospital 404, action 403)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scope
from aidtracker.lib.periods import add_months, month_start
from hospitals.models import Hospital
from outcomes.forms import IndicatorMonthChoice, IndicatorMonthForm
from outcomes.models import IndicatorValue


@scope.editors_required
def indicator_month(request, code):
    hospital = scope.get_readable_or_404(request.user, Hospital.objects.select_related("region"), code=code)
    if not scope.can_edit_hospital(request.user, hospital):
        raise PermissionDenied(_("The monthly indicators of %(hospital)s are entered by the coordinators "
                                 "of its programs.") % {"hospital": hospital})
    # The month a coordinator reports by default: the last full one.
    default = add_months(month_start(timezone.localdate()), -1)
    data = request.POST if request.method == "POST" else request.GET
    chooser = IndicatorMonthChoice(data if data.get("month") else None, initial={"month": default})
    month = default
    if chooser.is_bound:
        month = chooser.cleaned_data["month"] if chooser.is_valid() else None
    form = previous = None
    if month is not None:
        values = IndicatorValue.objects.filter(hospital=hospital, period__in=[month, add_months(month, -1)])
        current, previous = {}, {}
        for period, indicator, value in values.values_list("period", "indicator", "value"):
            (current if period == month else previous)[indicator] = value
        form = IndicatorMonthForm(request.POST if request.method == "POST" else None, current=current)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                done = IndicatorValue.objects.set_month(hospital, month, form.values())
            if any(done.values()):
                messages.success(request, _(
                    "Saved the indicators of %(hospital)s for %(month)s: %(added)d added, "
                    "%(changed)d changed, %(removed)d removed.") % {
                    "hospital": hospital, "month": f"{month:%Y-%m}", "added": len(done["added"]),
                    "changed": len(done["changed"]), "removed": len(done["removed"])})
            else:
                messages.info(request, _("Nothing changed."))
            url = reverse("outcomes:indicator_month", args=[hospital.code])
            return redirect(f"{url}?month={month:%Y-%m}")
    rows = []
    if form is not None:
        rows = [{"field": form[code], "previous": previous.get(code)} for code in form.fields]
    return render(request, "outcomes/indicator_month_form.html", {
        "hospital": hospital,
        "chooser": chooser,
        "month": month,
        "previous_month": add_months(month, -1) if month else None,
        "form": form,
        "rows": rows,
    })
