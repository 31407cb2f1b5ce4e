"""Open a page in a real headless Chromium over the DevTools protocol (no extra Python packages).

One browser launch per page: load it, collect everything the console would show as an error
(console.error, uncaught exceptions, failed loads), evaluate JavaScript expressions and take a
full-page screenshot. `websockets` is already installed (uvicorn → dagster-webserver).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",  # Chromium picks a free port and writes it to DevToolsActivePort
)


def find_chromium() -> str | None:
    found = next((path for path in CHROMIUM_PATHS if os.access(path, os.X_OK)), None)
    return found or shutil.which("chromium")


@dataclass
class PageVisit:
    errors: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    page_height: int = 0


class _DevTools:
    """Just enough of CDP: numbered commands on one flattened session, events kept for later."""

    def __init__(self, socket: ClientConnection, timeout: float) -> None:
        self.socket = socket
        self.timeout = timeout
        self.session: str | None = None
        self.events: list[dict[str, Any]] = []
        self._next_id = 0

    def _receive(self, deadline: float) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("Chromium did not answer in time")
        return json.loads(self.socket.recv(timeout=remaining))

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        self.socket.send(json.dumps(message))
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            for event in self.events:
                if event.get("method") == method:
                    return event
            self.events.append(self._receive(deadline))


def _error_texts(events: list[dict[str, Any]]) -> list[str]:
    """What DevTools' console would show in red."""
    errors = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            args = params.get("args", [])
            errors.append("console: " + " ".join(str(a.get("value", a)) for a in args))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            thrown = details.get("exception", {}).get("description") or details.get("text")
            errors.append(f"exception: {thrown}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}")
    return errors


def _devtools_url(profile: Path, process: subprocess.Popen[bytes], timeout: float) -> str:
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if marker.exists() and len(lines := marker.read_text().split()) >= 2:
            return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        if process.poll() is not None:
            raise RuntimeError(f"Chromium exited with {process.returncode} before listening")
        time.sleep(0.05)
    raise TimeoutError("Chromium did not open its DevTools port")


def _wait_until(devtools: _DevTools, expression: str, timeout: float) -> None:
    """Poll `expression` until it is true: a single-page app (the Dagster UI) has only an empty
    shell when the load event fires."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = devtools.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if result.get("result", {}).get("value") is True:
            return
        time.sleep(0.25)
    raise TimeoutError(f"the page never got to {expression!r} within {timeout:.0f} s")


def visit(
    url: str,
    *,
    chromium: str,
    screenshots: Mapping[Path, tuple[int, int] | None] | None = None,
    expressions: dict[str, str] | None = None,
    width: int = 1280,
    height: int = 2000,
    timeout: float = 60.0,
    ready: str | None = None,
) -> PageVisit:
    """Load `url`, wait for the load event (and, for a page that renders itself, until the
    JavaScript expression `ready` is true), evaluate `expressions`, take screenshots.

    `screenshots` maps a PNG path to the band of the page it shows, (top, height) in CSS pixels,
    or None for the whole page.
    """
    with tempfile.TemporaryDirectory(prefix="nro-chromium-") as profile_dir:
        profile = Path(profile_dir)
        process = subprocess.Popen(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # dbus noise of a container; errors come over CDP
        )
        try:
            # proxy=None: a proxy from the environment must not carry a localhost connection.
            with connect(
                _devtools_url(profile, process, timeout), proxy=None, max_size=None
            ) as socket:
                devtools = _DevTools(socket, timeout)
                target = devtools.send("Target.createTarget", url="about:blank")
                attached = devtools.send(
                    "Target.attachToTarget", targetId=target["targetId"], flatten=True
                )
                devtools.session = attached["sessionId"]
                for domain in ("Runtime", "Log", "Page"):
                    devtools.send(f"{domain}.enable")
                devtools.send(
                    "Emulation.setDeviceMetricsOverride",
                    width=width,
                    height=height,
                    deviceScaleFactor=1,
                    mobile=False,
                )
                devtools.events.clear()
                navigation = devtools.send("Page.navigate", url=url)
                if navigation.get("errorText"):
                    raise RuntimeError(f"{url}: {navigation['errorText']}")
                devtools.wait_for("Page.loadEventFired")
                if ready is not None:
                    _wait_until(devtools, ready, timeout)
                page = PageVisit()
                for name, expression in (expressions or {}).items():
                    result = devtools.send(
                        "Runtime.evaluate", expression=expression, returnByValue=True
                    )
                    if "exceptionDetails" in result:
                        raise RuntimeError(f"{name}: {result['exceptionDetails']}")
                    page.values[name] = result["result"].get("value")
                size = devtools.send("Page.getLayoutMetrics")["cssContentSize"]
                page.page_height = int(size["height"])
                for path, band in (screenshots or {}).items():
                    top, band_height = band or (0, page.page_height)
                    clip = {"x": 0, "y": top, "width": size["width"], "height": band_height}
                    shot = devtools.send(
                        "Page.captureScreenshot",
                        format="png",
                        clip={**clip, "scale": 1},
                        captureBeyondViewport=True,
                    )
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(base64.b64decode(shot["data"]))
                page.errors = _error_texts(devtools.events)
                devtools.session = None
                with contextlib.suppress(ConnectionClosed):  # it may hang up before answering
                    devtools.send("Browser.close")
            process.wait(timeout=timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    return page
