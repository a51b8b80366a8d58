"""The Permissions-Policy header on every response.

Bollplank uses no camera, microphone, location, payment, device or sensor access, so the
browser is told to refuse them all, to the site itself and to anything it could ever embed:
a page made to run script (a hole in a dependency, a stored injection the policy misses) then
still cannot reach them. Kept: full screen (the conversation runner's full-screen mode) and
web authentication (two-factor login by security key), for the site itself only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

# Feature → the origins allowed it; () is none. Only features browsers know, so that no
# browser logs a warning for a name it does not recognise.
PERMISSIONS_POLICY: dict[str, str] = {
    "accelerometer": "()",
    "autoplay": "()",
    "browsing-topics": "()",
    "camera": "()",
    "clipboard-read": "()",
    "display-capture": "()",
    "encrypted-media": "()",
    "fullscreen": "(self)",
    "gamepad": "()",
    "geolocation": "()",
    "gyroscope": "()",
    "hid": "()",
    "idle-detection": "()",
    "local-fonts": "()",
    "magnetometer": "()",
    "microphone": "()",
    "midi": "()",
    "payment": "()",
    "picture-in-picture": "()",
    "publickey-credentials-create": "(self)",
    "publickey-credentials-get": "(self)",
    "screen-wake-lock": "()",
    "serial": "()",
    "speaker-selection": "()",
    "usb": "()",
    "window-management": "()",
    "xr-spatial-tracking": "()",
}
HEADER_VALUE = ", ".join(f"{feature}={allowed}" for feature, allowed in PERMISSIONS_POLICY.items())


class PermissionsPolicyMiddleware:
    """Outermost, so that every answer carries it: pages, static files, refusals, errors."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", HEADER_VALUE)
        return response
