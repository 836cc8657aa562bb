"""The project's format modules (settings.FORMAT_MODULE_PATH): Django's
formats of each language with the project's choices on top.

Dates are ISO 8601 in both languages, YYYY-MM-DD, and times 24-hour: the
interchange format's own way (a list, a record page, an export and a bundle
read alike), unambiguous to a reader of either language, and what
<input type="date"> takes. Only month names and numbers follow the language.
"""

#: Dates and times shown on pages, in every language (see the modules).
ISO_DATE = "Y-m-d"
ISO_DATETIME = "Y-m-d H:i"
ISO_TIME = "H:i"
