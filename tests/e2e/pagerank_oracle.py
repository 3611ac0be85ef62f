# tests/e2e/pagerank_oracle.py: PageRank by numpy power iteration, from the
# definition in docs/jobs.md, apart from the engine's code. Usage:
#   pagerank_oracle.py DAMPING ITERATIONS TOLERANCE FILES...
# Prints `node<TAB>rank` (%.17g) in node byte order, and "iterations L1" on
# stderr.
import sys

import numpy as np

d, iterations, tol = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
edges = set()
for name in sys.argv[4:]:
    for line in open(name, "rb").read().split(b"\n"):
        words = line.split()  # ASCII whitespace, as the engine's
        if len(words) == 2:
            edges.add((words[0], words[1]))
nodes = sorted({u for u, _ in edges} | {v for _, v in edges})
index = {v: i for i, v in enumerate(nodes)}
n = len(nodes)
src = np.array([index[u] for u, _ in sorted(edges)], dtype=np.int64)
dst = np.array([index[v] for _, v in sorted(edges)], dtype=np.int64)
outdeg = np.bincount(src, minlength=n).astype(float)
dangling = outdeg == 0
r = np.full(n, 1.0 / n)
t, l1 = 0, 0.0
while t < iterations:
    contrib = np.zeros(n)
    np.add.at(contrib, dst, r[src] / outdeg[src])
    new = (1 - d) / n + d * (contrib + r[dangling].sum() / n)
    l1 = float(np.abs(new - r).sum())
    r, t = new, t + 1
    if l1 < tol:
        break
out = sys.stdout.buffer
for v, x in zip(nodes, r):
    out.write(v + b"\t" + (b"%.17g" % x) + b"\n")
sys.stderr.write("%d %.6g\n" % (t, l1))
