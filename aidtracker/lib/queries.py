"""Small query expressions the apps share."""

from django.db.models import Count, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce


def count_of(rows):
    """An expression: how many of `rows` (a queryset narrowed by OuterRef()
    to the outer row) there are, 0 for none. A correlated subquery per
    count, where Count() over two joined relations would count the product
    of their rows before `distinct` took it back."""
    counted = rows.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
