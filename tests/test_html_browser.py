"""The HTML report in a real headless Chromium: the down tunnels are on screen without scrolling.

How: the report for ``triage_fleet`` is written to a file; a copy gets a small probe script
(test-only: the report itself has no script) that, once the page is laid out, marks every
summary row with ``data-visible="yes|no"`` from its bounding box against the viewport.
Chromium's ``--dump-dom`` prints the DOM after the script ran. A control copy with a tall
block above the summary must read ``no``, so the check can fail. A screenshot is taken too.

Needs Debian's chromium (``apt-get install -y chromium``); skipped with the reason when it
is not installed. Chromium opens only the local file (background networking, component
updates and sync off).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mock_device import load_scenario
from vpn_doctor.diagnose.engine import diagnose
from vpn_doctor.parse.device import parse_snapshot
from vpn_doctor.report.html_view import render_html

from helpers import scenario_snapshot

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed (apt-get install -y chromium)"
)

PROBE = """<script>
window.addEventListener("load", function () {
  var h = window.innerHeight;
  document.body.setAttribute("data-viewport", window.innerWidth + "x" + h);
  document.querySelectorAll("tr[data-verdict]").forEach(function (row) {
    var r = row.getBoundingClientRect();
    var seen = r.top >= 0 && r.bottom <= h && r.width > 0 && r.height > 0;
    row.setAttribute("data-visible", seen ? "yes" : "no");
  });
});
</script>"""
SPACER = '<div style="height:4000px">pushed down</div>'
ROW = re.compile(r'data-peer="([^"]+)" data-verdict="([^"]+)" data-visible="(yes|no)"')


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp / 'profile'}",
        "--window-size=1280,800",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


def _visibility(tmp: Path, page: Path) -> dict[str, tuple[str, str]]:
    done = _chromium(tmp, "--virtual-time-budget=3000", "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert 'data-viewport="1280x' in done.stdout, "probe did not run"
    return {peer: (verdict, seen) for peer, verdict, seen in ROW.findall(done.stdout)}


@pytest.fixture(scope="module")
def report_html() -> str:
    snapshot = scenario_snapshot(load_scenario("triage_fleet"))
    return render_html(diagnose(parse_snapshot(snapshot)))


def test_down_tunnels_visible_without_scrolling(report_html: str, tmp_path: Path) -> None:
    page = tmp_path / "probe.html"
    page.write_text(report_html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    rows = _visibility(tmp_path, page)
    down = {peer for peer, (verdict, _) in rows.items() if verdict == "down"}
    assert down == {"203.0.113.12", "203.0.113.14", "203.0.113.19"}
    assert all(rows[peer][1] == "yes" for peer in down), rows


def test_the_check_fails_when_the_rows_are_pushed_off_screen(
    report_html: str, tmp_path: Path
) -> None:
    page = tmp_path / "control.html"
    pushed = report_html.replace('<table class="summary"', SPACER + '<table class="summary"')
    page.write_text(pushed.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    rows = _visibility(tmp_path, page)
    assert rows and all(seen == "no" for _, seen in rows.values()), rows


def test_screenshot(report_html: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(report_html, encoding="utf-8")
    shot = tmp_path / "report.png"
    done = _chromium(tmp_path, f"--screenshot={shot}", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 800)
    assert len(data) > 10_000  # a rendered page, not a blank one
