"""``grad --points`` end to end: ``python bench/points.py [--lines N] [--repeat R] [--baseline REV]``.

Whole processes, every ratio against a reference measured in the same run:

1. CSV, the sigmoid neuron (``w0,x0,w1,x1,w2``, six decimals), N lines:
   cgcli against the same job written directly in polars (read_csv, the
   neuron and its gradient in NumPy, write_csv), and against REV's cgcli;
2. JSON Lines, the same points: cgcli against REV's cgcli;
3. a 10-line input (start-up), both formats: cgcli against REV's cgcli;
4. peak RSS through a pipe for N/10 and N lines (memory is constant if equal).

REV (default: the commit --points was last rebuilt from, ``fdeff32``) is
checked out into a temporary folder with ``git archive``.  Timings are the
best of R runs, wall and CPU (user + system, every thread); the machine may be
shared, so read the ratios, not the seconds.  A ratio above 1 means cgcli is faster.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NEURON = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
NAMES = ["w0", "x0", "w1", "x1", "w2"]
Timing = tuple[float, float]  # wall and CPU seconds

POLARS_JOB = """
import sys
import numpy as np
import polars as pl
frame = pl.read_csv(sys.argv[1])
w0, x0, w1, x1, w2 = (frame[c].to_numpy() for c in ("w0", "x0", "w1", "x1", "w2"))
s = 1.0 / (1.0 + np.exp(-(w0 * x0 + w1 * x1 + w2)))
d = s * (1.0 - s)
out = pl.DataFrame({"value": s, "d_w0": d * x0, "d_x0": d * w0, "d_w1": d * x1, "d_x1": d * w1, "d_w2": d})
out.with_columns(pl.lit(None, dtype=pl.String).alias("error")).write_csv(sys.stdout.buffer)
"""

PEAK = """
import resource, subprocess, sys
with open(sys.argv[1], "rb") as source:
    subprocess.run(sys.argv[2:], stdin=source, stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def write_inputs(folder: Path, lines: int) -> tuple[Path, Path, Path, Path]:
    import numpy as np

    rng = np.random.default_rng(1)
    points = rng.uniform(-3, 3, (lines, 5)).round(6)
    csv, jsonl, small = folder / "neuron.csv", folder / "neuron.jsonl", folder / "ten.jsonl"
    with csv.open("w") as f:
        f.write(",".join(NAMES) + "\n")
        np.savetxt(f, points, fmt="%.6f", delimiter=",")
    rows = (", ".join(f'"{n}": {v!r}' for n, v in zip(NAMES, row, strict=True)) for row in points.tolist())
    jsonl.write_text("".join("{" + row + "}\n" for row in rows))
    small.write_text("".join(jsonl.read_text().splitlines(keepends=True)[:10]))
    small_csv = folder / "ten.csv"
    small_csv.write_text("".join(csv.read_text().splitlines(keepends=True)[:11]))
    return csv, jsonl, small, small_csv


def timed(command: list[str], repeat: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system, all threads) of ``repeat`` runs of a
    whole process, output to /dev/null.  On a loaded machine CPU time moves less than wall time."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        # cwd: not the repository, whose cgcli/ would shadow PYTHONPATH's (sys.path starts with it)
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True, env=env, cwd=tempfile.gettempdir())
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), min(cpus)


def baseline(rev: str, folder: Path) -> Path:
    """REV's cgcli package, unpacked under ``folder``."""
    target = folder / "baseline"
    target.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "cgcli", "grammar"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", default="fdeff32")
    args = parser.parse_args()
    n = args.lines
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv, jsonl, small, small_csv = write_inputs(folder, n)
        old = baseline(args.baseline, folder)
        import os

        old_env = {**os.environ, "PYTHONPATH": str(old)}
        for env in (None, old_env):  # say which cgcli each side runs
            where = [sys.executable, "-c", "import cgcli; print(cgcli.__file__)"]
            print("cgcli from", subprocess.run(where, env=env, cwd=tmp, capture_output=True, text=True).stdout.strip())
        cgcli = [sys.executable, "-m", "cgcli", "grad", NEURON, "--points"]
        rows = []

        def row(
            name: str, ours: tuple[float, float], reference: tuple[float, float], ref_name: str, points: int
        ) -> None:
            (wall, cpu), (ref_wall, ref_cpu) = ours, reference
            rows.append(
                f"| {name} | {wall:.3f} | {cpu:.3f} | {points / wall / 1e6:.2f} | {ref_name} | {ref_wall:.3f} "
                f"| {ref_cpu:.3f} | {points / ref_wall / 1e6:.2f} | {ref_wall / wall:.2f}x | {ref_cpu / cpu:.2f}x |"
            )

        ours = timed([*cgcli, str(csv)], args.repeat)
        polars_job = timed([sys.executable, "-c", POLARS_JOB, str(csv)], args.repeat)
        before = timed([*cgcli, str(csv)], args.repeat, old_env)
        row(f"CSV, {n:,} lines", ours, polars_job, "polars directly", n)
        row(f"CSV, {n:,} lines", ours, before, f"cgcli {args.baseline}", n)
        ours = timed([*cgcli, str(jsonl)], args.repeat)
        before = timed([*cgcli, str(jsonl)], args.repeat, old_env)
        row(f"JSON Lines, {n:,} lines", ours, before, f"cgcli {args.baseline}", n)
        for name, path in (("JSON Lines", small), ("CSV", small_csv)):
            ours = timed([*cgcli, str(path)], max(args.repeat, 10))
            before = timed([*cgcli, str(path)], max(args.repeat, 10), old_env)
            row(f"{name}, 10 lines", ours, before, f"cgcli {args.baseline}", 10)

        print(
            "| input | cgcli wall s | cgcli CPU s | M points/s (wall) | reference | ref wall s | ref CPU s "
            "| ref M points/s | ref ÷ cgcli, wall | ref ÷ cgcli, CPU |"
        )
        print("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
        print("\n".join(rows))

        tenth = folder / "tenth.csv"
        tenth.write_text("".join(csv.read_text().splitlines(keepends=True)[: n // 10 + 1]))
        print()
        print("| peak RSS through a pipe, CSV | KiB |")
        print("| --- | ---: |")
        for name, path in ((f"{n // 10:,} lines", tenth), (f"{n:,} lines", csv)):
            command = [sys.executable, "-c", PEAK, str(path), *cgcli, "-", "--points-format", "csv"]
            peak = subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()
            print(f"| {name} | {int(peak):,} |")
        print(
            f"\n(load average at the end: {', '.join(f'{v:.1f}' for v in os.getloadavg())}; "
            f"this process's own peak: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss:,} KiB)"
        )


if __name__ == "__main__":
    main()
