"""``{% load dates %}``: days in the style of summit/formats (see summit.dates)."""

from django import template

from summit import dates

register = template.Library()


@register.filter
def day(value):
    """{{ session.starts_at|day }}: "Tue 8 Dec", "12月8日 星期二"."""
    return dates.day(value) if value else ""


@register.filter
def long_day(value):
    """{{ agenda_day.day|long_day }}: "Tuesday 8 December 2026", "2026年12月8日 星期二"."""
    return dates.long_day(value) if value else ""


@register.simple_tag
def date_range(start, end):
    """{% date_range summit.starts_on summit.ends_on %}: "8–10 Dec 2026", "2026年12月8日至10日"."""
    return dates.date_range(start, end)
