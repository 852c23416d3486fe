# 简体中文: numbers with 年月日, 24-hour time (summit/formats).
DATE_FORMAT = "Y年n月j日"  # 2026年12月8日
DATETIME_FORMAT = "Y年n月j日 H:i"  # 2026年12月8日 14:00
SHORT_DATE_FORMAT = "Y年n月j日"
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
MONTH_DAY_FORMAT = "n月j日"  # 12月8日
YEAR_MONTH_FORMAT = "Y年n月"  # 2026年12月
TIME_FORMAT = "H:i"
DAY_FORMAT = "n月j日 D"  # 12月8日 星期二
LONG_DAY_FORMAT = "Y年n月j日 l"  # 2026年12月8日 星期二
