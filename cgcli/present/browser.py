"""Debian's Chromium launched through Playwright, for the page's tests, bench and screenshot.

Nothing in cgcli's commands imports this module, and it imports no
Playwright itself: callers pass the object ``sync_playwright()`` gave them,
so users never need Playwright installed.  Never downloads a browser.
"""

from __future__ import annotations

from typing import Any

CHROMIUM = "/usr/bin/chromium"
# headless, and nothing that reaches the network on its own (tests check that the page makes no request)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium(playwright: Any, timeout: float | None = None) -> Any:
    """``playwright.chromium.launch`` of `CHROMIUM` with `CHROMIUM_ARGS`.

    ``timeout`` is in milliseconds; None keeps Playwright's default.
    """
    options: dict[str, Any] = {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
    if timeout is not None:
        options["timeout"] = timeout
    return playwright.chromium.launch(**options)
