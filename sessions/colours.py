"""Forum colours that stay readable: WCAG contrast against the white page."""


def _channel(value: int) -> float:
    value = value / 255
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable_on_white(colour: str, minimum: float = 4.5) -> str:
    """``colour``, darkened just enough for text on white to meet ``minimum`` (WCAG AA)."""
    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    candidate = colour.lower()
    factor = 1.0
    while contrast_ratio(candidate, "#ffffff") < minimum and factor > 0:
        factor -= 0.05
        candidate = "#" + "".join(f"{round(part * factor):02x}" for part in (red, green, blue))
    return candidate
