"""Files to take away: CSV and .xlsx answers, written one way everywhere.

Every CSV the application writes (a record list's download, a bundle's
files, a dashboard's figures) starts with a UTF-8 byte-order mark: without
it, Excel in a Chinese (or any non-UTF-8) locale reads the file in the
locale's code page and garbles every name. The importer skips the mark
(interchange/sources.py), so a downloaded file imports as before.

`is_download(request)` says which requests ask for such a file: the API
token middleware (accounts/middleware.py) signs them in with a token too,
so officials' own tools read the downloads as they read the JSON API.
"""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse

#: The UTF-8 byte-order mark, the first character of every CSV written.
BOM = "\ufeff"

#: The suffixes and `?format=` values of downloads.
FORMATS = ("csv", "xlsx")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


class _Echo:
    """A file-like object whose write() hands the line back (for csv.writer)."""

    def write(self, value):
        return value


def csv_lines(rows):
    """Each row of `rows` (lists of cells) as one line of CSV text (RFC 4180
    quoting, CRLF line ends), the first one preceded by the byte-order mark."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    first = True
    for row in rows:
        line = writer.writerow(row)
        yield BOM + line if first else line
        first = False


def csv_response(rows, filename):
    """A streamed CSV download of `rows` (an iterable of lists of cells)."""
    response = StreamingHttpResponse(csv_lines(rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(workbook, filename):
    """An .xlsx download of the openpyxl `workbook`."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def is_download(request) -> bool:
    """Does `request` read a file to take away (a GET or HEAD of an address
    ending in .csv or .xlsx, or with ?format=csv or xlsx)? Such requests
    only read: a token never changes anything through them."""
    if request.method not in ("GET", "HEAD"):
        return False
    path = request.path_info
    return path.endswith(tuple("." + f for f in FORMATS)) or request.GET.get("format") in FORMATS
