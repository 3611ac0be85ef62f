# tests/e2e/rmat.py SCALE EDGES SEED: a Graph500-style R-MAT edge list
# (a=0.57, b=0.19, c=0.19), deterministic from SEED: `u v` lines, nodes
# named n<number>; skewed degrees, duplicate edges and self-loops happen.
import random
import sys

scale, edges, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
out = []
for _ in range(edges):
    u = v = 0
    for _ in range(scale):
        x = rng.random()
        bu, bv = (0, 0) if x < 0.57 else (0, 1) if x < 0.76 else (1, 0) if x < 0.95 else (1, 1)
        u, v = 2 * u + bu, 2 * v + bv
    out.append("n%d n%d" % (u, v))
sys.stdout.write("\n".join(out) + "\n")
