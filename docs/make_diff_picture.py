"""Draw the README's LaTeX sample of ``cgcli diff`` with cgcli and matplotlib's mathtext.

    python docs/make_diff_picture.py            # rewrite docs/diff-latex.svg
    python docs/make_diff_picture.py --check    # exit 1 if it drifted (tests/test_diff_picture.py does this)

The LaTeX is ``cgcli diff --format latex`` of the lecture's neuron, fused;
matplotlib lays it out (no TeX installation needed).  The SVG depends on
matplotlib's version, recorded in docs/diff-latex.json, and is compared
only where that version is installed.
"""

from __future__ import annotations

import io
import json
import sys
from importlib.metadata import version
from pathlib import Path

import cgcli
from cgcli.modes.diff import differentiate
from cgcli.present.diff_latex import diff_latex

DOCS = Path(__file__).resolve().parent
NEURON = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
PICTURE, RECORD = DOCS / "diff-latex.svg", DOCS / "diff-latex.json"


def latex() -> list[str]:
    """The lines drawn: cgcli diff's LaTeX of the fused neuron."""
    return diff_latex(differentiate(cgcli.fuse(cgcli.parse(NEURON)))).splitlines()


def picture() -> str:
    """The SVG text, the same on every run (no date, fixed ids)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "cgcli"
    lines = latex()
    figure = plt.figure(figsize=(4.6, 0.55 * len(lines) + 0.3))
    for k, line in enumerate(lines):
        figure.text(0.03, 1 - (k + 0.8) / (len(lines) + 0.5), f"${line}$", fontsize=15)
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    plt.close(figure)
    return out.getvalue()


def drifted() -> bool:
    """Whether docs/diff-latex.svg differs from what is drawn now (False where matplotlib's version differs)."""
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    if recorded["matplotlib"] != version("matplotlib"):
        return False
    return PICTURE.read_text(encoding="utf-8") != picture()


def main() -> int:
    if "--check" in sys.argv:
        stale = drifted()
        print("stale: diff-latex.svg" if stale else "the picture is current")
        return 1 if stale else 0
    PICTURE.write_text(picture(), encoding="utf-8")
    RECORD.write_text(json.dumps({"matplotlib": version("matplotlib")}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
