"""One date and time style per language, used by every page, e-mail and file we write.

Django reads these modules through ``FORMAT_MODULE_PATH`` for its named formats
(``DATE_FORMAT``, ``MONTH_DAY_FORMAT`` …, used by the ``date`` and ``time`` filters and by
``django.utils.formats``); ``summit.dates`` reads the two extra ones, a day with its weekday
(``DAY_FORMAT``) and in full (``LONG_DAY_FORMAT``), and writes ranges of days.

English is unambiguous for every reader (no 12/05/2026: day and month swap between Hong Kong
and the US) and uses the 24-hour clock like the programme: "Tue 8 Dec 2026, 14:00".
Chinese writes the numbers with 年月日: "2026年12月8日 14:00", "12月8日".
"""
