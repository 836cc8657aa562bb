"""URL path converters.

`<pk:...>`: an automatic primary key, as Django's `<int:...>` but of at
most 18 digits, so that no address can name a number past the database's
64-bit integers (which PostgreSQL refuses with an error, and SQLite's
driver with an OverflowError): a longer one matches no URL, a 404 like any
record that is not there."""

from django.urls import register_converter
from django.urls.converters import IntConverter


class PrimaryKeyConverter(IntConverter):
    regex = "[0-9]{1,18}"


def register() -> None:
    register_converter(PrimaryKeyConverter, "pk")
