"""The staff page's preview under load: `handouts serve` on loopback, previews of a personalized two-handout packet timed from request to images.

python benchmarks/web_preview.py [--alone N] [--users N] [--rounds N]

The server runs as its own process (`handouts serve`, as a clinic starts it); this process is the browsers.
- alone: N previews one after another, each for a different patient: p50 and p95 of request to last byte
  (the page images come in the response, as data: URLs, so the last byte is the last image);
- at once: USERS signed-in users press Preview at the same moment (a barrier), ROUNDS times, each a
  different patient every time: p50, p95 and the slowest. Every request has a 60 s timeout.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark passphrase"
TIMEOUT = 60.0
# Images Chromium fetches at once for a preview: the first is eager, and lazy ones load once within about
# 1,250 px of the window; the page scrolls the preview into view, so pages 1 to 3 of 906 px each.
FIRST_SCREEN = 3


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class User:
    """One signed-in browser: its cookie and CSRF token, and its connections kept open between requests (as a
    browser keeps them, up to 6 to one server), one per thread that asks."""

    def __init__(self, port: int, name: str):
        self.port = port
        self.cookie = ""
        self._connections = threading.local()
        page = self.request("GET", "/signin")
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        self.request("POST", "/signin", {"csrf": token, "username": name, "password": PASSWORD})
        self.token = re.search(r'name="csrf" value="([^"]+)"', self.request("GET", "/")).group(1)

    def _send(self, method: str, path: str, body: str | None, headers: dict) -> tuple[int, bytes, str | None]:
        connection = getattr(self._connections, "open", None)
        for attempt in (1, 2):
            if connection is None:
                connection = self._connections.open = http.client.HTTPConnection("127.0.0.1", self.port,
                                                                                 timeout=TIMEOUT)
            try:
                connection.request(method, path, body, headers)
                response = connection.getresponse()
                return response.status, response.read(), response.getheader("set-cookie")
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                connection = self._connections.open = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def request(self, method: str, path: str, form: dict | None = None, htmx: bool = False) -> str:
        body = urllib.parse.urlencode(form) if form else None
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if htmx:
            headers["HX-Request"] = "true"            # as htmx sends it: the form comes back alone
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, data, cookie = self._send(method, path, body, headers)
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return data.decode()

    def image(self, address: str) -> int:
        status, data, _ = self._send("GET", address, None, {"Cookie": self.cookie})
        if status != 200 or not data.startswith(b"\xff\xd8"):
            raise RuntimeError(f"{address}: expected a JPEG, found status {status}")
        return len(data)

    def preview(self, number: int, all_pages: bool = True) -> tuple[float, float]:
        """Seconds from pressing Preview to the first screen of pages (the page and the images a browser
        fetches at once: FIRST_SCREEN of them), and, with ALL_PAGES, to every page's image (fetched 6 at a time,
        as a browser does when the pages are scrolled through at once)."""
        form = {"csrf": self.token, "handouts": "kyphoplasty-before;kyphoplasty-care-after",
                "name": f"Test Patient {number}", "mrn": f"B-{number:06d}", "dob": "1948-03-14",
                "procedure_date": "2026-12-03", "followup_date": "2026-12-17", "surgeon": "Dr. Lee",
                "language": "en", "paper": "letter"}
        started = time.perf_counter()
        page = self.request("POST", "/packet/preview", form, htmx=True)
        addresses = re.findall(r'<img src="(/preview/[^"]+)"', page)
        if len(addresses) < 2:
            raise RuntimeError(f"preview {number}: expected page images, found {len(addresses)}")
        with ThreadPoolExecutor(6) as browser:
            list(browser.map(self.image, addresses[:FIRST_SCREEN]))
            first = time.perf_counter() - started
            if not all_pages:
                return first, first
            list(browser.map(self.image, addresses[FIRST_SCREEN:]))
        return first, time.perf_counter() - started


def start_server(folder: Path, users: int) -> tuple[subprocess.Popen, int]:
    instance = folder / "instance"
    for number in range(users):
        subprocess.run([sys.executable, "-m", "handouts", "users", "add", f"user{number}", "--instance", str(instance),
                        "--password-stdin"], input=PASSWORD.encode(), check=True, capture_output=True, cwd=REPO)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "handouts", "serve", "--instance", str(instance),
                               "--port", str(port), "--content", str(REPO / "content")], cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=open(os.environ.get("SERVER_LOG", os.devnull), "w"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/signin")
            return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start in 30 s")


def _free_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def at_once(users: list[User], rounds: int, first: int, all_pages: bool) -> list[tuple[float, float]]:
    times: list[tuple[float, float]] = []
    lock = threading.Lock()
    for round_number in range(rounds):
        barrier = threading.Barrier(len(users))

        def press(index: int, user: User) -> None:
            barrier.wait()
            seconds = user.preview(first + round_number * len(users) + index, all_pages)
            with lock:
                times.append(seconds)
        threads = [threading.Thread(target=press, args=(index, user)) for index, user in enumerate(users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIMEOUT * 2)
    return times


def _summary(times: list[tuple[float, float]], prefix: str) -> dict:
    summary = {}
    for index, name in ((0, "first_screen"), (1, "all_pages")):
        values = [pair[index] for pair in times]
        summary.update({f"{prefix}_{name}_p50": round(statistics.median(values), 3),
                        f"{prefix}_{name}_p95": round(percentile(values, 0.95), 3),
                        f"{prefix}_{name}_max": round(max(values), 3)})
    return summary


def measure(alone: int, users: int, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        server, port = start_server(Path(folder), users)
        try:
            clients = [User(port, f"user{number}") for number in range(users)]
            clients[0].preview(0)                  # warm-up: fonts and handouts loaded, layouts cached
            single = [clients[0].preview(number) for number in range(1, alone + 1)]
            crowd = at_once(clients, rounds, alone + 1, all_pages=False)
            scrolled = at_once(clients, rounds, alone + 1 + rounds * users, all_pages=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {"cpus": os.cpu_count(), "users": users, "crowd_samples": len(crowd),
            **_summary(single, "alone"), **{key: value for key, value in _summary(crowd, "crowd").items()
                                            if "first_screen" in key},
            **_summary(scrolled, "crowd_scrolling")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alone", type=int, default=20)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    print(json.dumps(measure(arguments.alone, arguments.users, arguments.rounds), indent=1))


if __name__ == "__main__":
    main()
