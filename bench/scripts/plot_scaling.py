#!/usr/bin/env python3
"""bench/scripts/plot_scaling.py CSV OUTDIR: the plots of bench/scaling.sh.

scaling_strong.png: speed-up (T(1 worker) / T(w)) and parallel efficiency
(speed-up / w) against workers, per job, with the ideal line.
scaling_weak.png: weak-scaling efficiency (T(1) / T(w), input growing with w).
scaling_phases.png: seconds per phase (map, shuffle, reduce, write, the rest)
against workers, strong scaling, one panel per job.
Each point is the median of its repetitions.
"""
import csv
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

rows = list(csv.DictReader(open(sys.argv[1])))
out = sys.argv[2]
runs = defaultdict(list)
for r in rows:
    runs[(r["kind"], r["job"], int(r["workers"]))].append(r)


def median(kind, job, w, field):
    return statistics.median(float(r[field]) for r in runs[(kind, job, w)])


jobs = sorted({r["job"] for r in rows})
workers = sorted({int(r["workers"]) for r in rows})

fig, (ax_s, ax_e) = plt.subplots(1, 2, figsize=(10, 4))
for job in jobs:
    ws = [w for w in workers if ("strong", job, w) in runs]
    base = median("strong", job, ws[0], "seconds") * ws[0]
    speedup = [base / median("strong", job, w, "seconds") for w in ws]
    ax_s.plot(ws, speedup, "o-", label=job)
    ax_e.plot(ws, [s / w for s, w in zip(speedup, ws)], "o-", label=job)
ax_s.plot(workers, workers, "k--", lw=0.8, label="ideal")
ax_s.set(xlabel="workers", ylabel="speed-up (whole run)", title="Strong scaling")
ax_e.axhline(1, color="k", ls="--", lw=0.8)
ax_e.set(xlabel="workers", ylabel="parallel efficiency", title="Strong scaling", ylim=(0, 1.1))
for ax in (ax_s, ax_e):
    ax.set_xticks(workers)
    ax.legend()
    ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(out + "/scaling_strong.png", dpi=90)

fig, ax = plt.subplots(figsize=(5, 4))
for job in jobs:
    ws = [w for w in workers if ("weak", job, w) in runs]
    if ws:
        base = median("weak", job, ws[0], "seconds")
        ax.plot(ws, [base / median("weak", job, w, "seconds") for w in ws], "o-", label=job)
ax.axhline(1, color="k", ls="--", lw=0.8)
ax.set(xlabel="workers (input grows with them)", ylabel="efficiency T(1) / T(w)",
       title="Weak scaling", ylim=(0, 1.1))
ax.set_xticks(workers)
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(out + "/scaling_weak.png", dpi=90)

phases = ["map", "shuffle", "reduce", "write"]
fig, axes = plt.subplots(1, len(jobs), figsize=(5 * len(jobs), 4), squeeze=False)
for ax, job in zip(axes[0], jobs):
    ws = [w for w in workers if ("strong", job, w) in runs]
    bottom = [0.0] * len(ws)
    for phase in phases + ["rest"]:
        if phase == "rest":  # start-up, planning, commit: the whole run minus the phases
            vals = [median("strong", job, w, "seconds") - sum(median("strong", job, w, p)
                                                              for p in phases) for w in ws]
        else:
            vals = [median("strong", job, w, phase) for w in ws]
        ax.bar([str(w) for w in ws], vals, bottom=bottom, label=phase)
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.set(xlabel="workers", ylabel="seconds", title="%s: time per phase (strong)" % job)
    ax.legend()
fig.tight_layout()
fig.savefig(out + "/scaling_phases.png", dpi=90)
print("plots: %s/scaling_{strong,weak,phases}.png" % out)
