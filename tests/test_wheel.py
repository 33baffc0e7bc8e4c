"""The package as a user gets it: a wheel installed in a fresh venv outside the repository."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_the_grammar_and_runs_outside_the_repo(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = dist.glob("cgcli-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "cgcli/grammar/expr.lark" in names
    assert zipfile.ZipFile(wheel).read("cgcli/grammar/expr.lark") == (ROOT / "grammar" / "expr.lark").read_bytes()
    for asset in ("page.js", "page_math.js", "page.css"):  # the page's script and style sheet, inlined into every page
        shipped = zipfile.ZipFile(wheel).read(f"cgcli/present/{asset}")
        assert shipped == (ROOT / "cgcli" / "present" / asset).read_bytes()

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    subprocess.run([bin_dir / "pip", "install", "-q", str(wheel)], check=True, capture_output=True, timeout=600)
    done = subprocess.run(
        [bin_dir / "cgcli", "grad", "(x+y)*z", "--x=-2", "--y=5", "--z=-4", "--json"],
        cwd=tmp_path,  # not the repository: the grammar must come from the installed package
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["gradient"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    if shutil.which("dot"):
        done = subprocess.run(
            [bin_dir / "cgcli", "graph", "(x+y)*z", "--x=-2", "--y=5", "--z=-4", "-o", "page.html"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        page = (tmp_path / "page.html").read_text(encoding="utf-8")
        assert "function forwardPass(x)" in page and "function showDetails(i)" in page and "--value:" in page
