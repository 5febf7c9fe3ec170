"""A person's name for the device behind a user agent ("Chrome on Windows"), for Recent activity and
remembered devices. Deliberately small: enough to tell a person's devices apart, never the raw
string (it is long, and says more about the device than the user needs to see)."""

from __future__ import annotations

# (token in the user agent, name), first match wins. The order matters: Edge and Opera say
# "Chrome/" too, Chrome says "Safari/", and Android says "Linux".
_BROWSERS = (
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("HeadlessChrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)
_MAX_TOKEN = 40


def device_name(user_agent: str | None) -> str:
    """ "Chrome on Windows" from a user agent; "Unknown device" when there is none."""
    ua = (user_agent or "").strip()
    browser = next((name for needle, name in _BROWSERS if needle in ua), None)
    system = next((name for needle, name in _SYSTEMS if needle in ua), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return str(browser or system)
    # Not a browser (a script, an app, the sign-in service): its first product token, kept short.
    token = ua.split(" ", 1)[0].split("/", 1)[0].strip()
    return token[:_MAX_TOKEN] if token.isprintable() and token else "Unknown device"
