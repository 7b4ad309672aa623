"""A device named from its User-Agent, for the list of one's sessions: a rough name a person
recognises ("Chrome · Android"), not a fingerprint."""

_BROWSERS = (("MicroMessenger", "WeChat"), ("EdgA", "Edge"), ("Edg/", "Edge"), ("OPR/", "Opera"),
             ("UCBrowser", "UC"), ("QQBrowser", "QQ"), ("HuaweiBrowser", "Huawei"), ("Firefox/", "Firefox"),
             ("Chromium/", "Chromium"), ("Chrome/", "Chrome"), ("CriOS", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("HarmonyOS", "HarmonyOS"), ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device_of(user_agent: str | None) -> str:
    """"Chrome · Android", or the start of the text when nothing in it is known, or ""."""
    text = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in text), None)
    system = next((name for mark, name in _SYSTEMS if mark in text), None)
    if browser or system:
        return " · ".join(part for part in (browser, system) if part)
    return text[:40]
