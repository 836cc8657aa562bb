"""PDF from a page's HTML, made on the server by WeasyPrint.

WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0) and, for
Chinese, a CJK font (fonts-noto-cjk). It is imported only when a PDF is
asked for: a machine without them runs everything else, and the PDF's
address answers 503 with a page that says what to install (the HTML
version of the same page prints well from the browser).

The page's stylesheets and images are read from the static files on disk,
never over the network: the fetcher answers `data:` URLs and the static
URL alone.
"""

import os
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.shortcuts import render

#: What to install when WeasyPrint cannot load (Debian's package names).
NEEDED = "pip install weasyprint==70.0; apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk"


@cache
def _weasyprint():
    """The weasyprint module, or the text of the error that kept it from
    loading (a missing Pango raises OSError at import)."""
    try:
        import weasyprint
        import weasyprint.urls
    except (ImportError, OSError) as error:
        return str(error) or error.__class__.__name__
    return weasyprint


def missing() -> str | None:
    """None when PDFs can be made here; else what to install."""
    return None if not isinstance(_weasyprint(), str) else NEEDED


def static_file(name) -> str | None:
    """The path on disk of static file `name`: found by the finders (as
    in development), or, under a hashed name ("css/site.3f2a….css", as
    the manifest storage names them after collectstatic), in STATIC_ROOT."""
    found = finders.find(name)
    if found:
        return found
    try:
        collected = staticfiles_storage.path(name)
    except (NotImplementedError, ValueError):
        return None
    return collected if os.path.isfile(collected) else None


def static_fetcher(weasyprint):
    """A WeasyPrint URL fetcher that answers `data:` URLs and files under
    STATIC_URL (read from the static files on disk) and refuses any other
    address: a PDF never reaches out to the network."""

    class StaticFetcher(weasyprint.urls.URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = urlsplit(url).path
            static = "/" + settings.STATIC_URL.lstrip("/")
            found = static_file(path[len(static):]) if path.startswith(static) else None
            if not found:
                raise ValueError(f"not fetched for a PDF: {url}")
            with open(found, "rb") as f:
                body = f.read()
            kind = "text/css" if found.endswith(".css") else "application/octet-stream"
            return weasyprint.urls.URLFetcherResponse(url, body, {"Content-Type": kind})

    return StaticFetcher(allowed_protocols=("data", "http", "https"))


def response(request, html, filename):
    """The PDF of `html` as a download named `filename`, or the 503 page
    saying what to install."""
    weasyprint = _weasyprint()
    if isinstance(weasyprint, str):
        return render(request, "dashboards/pdf_missing.html", {"needed": NEEDED, "error": weasyprint}, status=503)
    document = weasyprint.HTML(string=html, base_url=request.build_absolute_uri("/"), url_fetcher=static_fetcher(weasyprint))
    pdf = document.write_pdf()
    answer = HttpResponse(pdf, content_type="application/pdf")
    answer["Content-Disposition"] = f'inline; filename="{filename}"'
    return answer
