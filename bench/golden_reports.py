"""Write the JSON report of every mock scenario (all peers, and each scenario's own peer)
to one directory, so a speed change can be checked byte-identical against the code before.

Usage: ``python bench/golden_reports.py OUTDIR`` then ``diff -r BEFORE AFTER``.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def main(out: Path) -> int:
    from mock_device import load_scenario, scenario_names
    from vpn_doctor.diagnose.engine import diagnose
    from vpn_doctor.parse.device import parse_snapshot
    from vpn_doctor.report.formats import render_json

    from helpers import scenario_snapshot  # type: ignore[import-not-found]

    out.mkdir(parents=True, exist_ok=True)
    for name in scenario_names():
        scenario = load_scenario(name)
        snapshot = scenario_snapshot(scenario)
        state = parse_snapshot(snapshot)
        (out / f"{name}.json").write_text(render_json(diagnose(state)), encoding="utf-8")
        peer = scenario.expect.get("peer") if scenario.expect else None
        if peer:
            report = render_json(diagnose(state, peer))
            (out / f"{name}.peer.json").write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
