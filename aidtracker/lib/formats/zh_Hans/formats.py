"""Simplified Chinese formats: Django's, with numbers grouped by three.

Django's zh_Hans formats group digits by four with no separator, so that
`intcomma` prints 1234567 as "1234567". Statistical reports in mainland China
(and GB/T 15835-2011, section 5.1.4) group by three with a comma: "1,234,567".
Dates are ISO, as in English ("2024-09-05", not Django's "2024年9月5日":
see aidtracker/lib/formats/__init__.py); a month alone stays Chinese
("2024年9月"), and MONTH_DAY_FORMAT drops the leading zero Django's "m月j日"
would print ("9月5日", not "09月5日").
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

from aidtracker.lib.formats import ISO_DATE, ISO_DATETIME, ISO_TIME

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
MONTH_DAY_FORMAT = "n月j日"
DATE_FORMAT = SHORT_DATE_FORMAT = ISO_DATE
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = ISO_DATETIME
TIME_FORMAT = ISO_TIME

# Forms show dates in the first input format. ISO first: it is the
# interchange format's, and <input type="date"> accepts nothing else (Django
# puts "%Y/%m/%d" first). Django's "%Y年%n月%j日" never parses ("%j" is the day
# of the year, "%n" whitespace); "%Y年%m月%d日" reads "2024年9月5日".
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
]
