# English: the day before the month, the month as a word, 24-hour time (summit/formats).
DATE_FORMAT = "D j M Y"  # Tue 8 Dec 2026
DATETIME_FORMAT = "D j M Y, H:i"  # Tue 8 Dec 2026, 14:00
SHORT_DATE_FORMAT = "j M Y"  # 8 Dec 2026
SHORT_DATETIME_FORMAT = "j M Y, H:i"  # 8 Dec 2026, 14:00
MONTH_DAY_FORMAT = "j M"  # 8 Dec
YEAR_MONTH_FORMAT = "F Y"  # December 2026
TIME_FORMAT = "H:i"  # 14:00
DAY_FORMAT = "D j M"  # Tue 8 Dec
LONG_DAY_FORMAT = "l j F Y"  # Tuesday 8 December 2026
