# tests/e2e/join_oracle.py: the join job's oracle, from docs/jobs.md, with a
# dictionary per side. Usage:
#   join_oracle.py FORMAT TYPE LEFT_FIELDS RIGHT_FIELDS LEFT_KEY RIGHT_KEY \
#                  LEFT_FILES... -- RIGHT_FILES...
# Prints the rows in byte order of the key, then writes
# "read_left invalid_left read_right invalid_right" to join_counts.txt.
import sys

from csv_rules import canonical, lines_of, parse

fmt, kind = sys.argv[1], sys.argv[2]
fields = [int(sys.argv[3]), int(sys.argv[4])]
keys = [int(sys.argv[5]) - 1, int(sys.argv[6]) - 1]
rest = sys.argv[7:]
files = [rest[:rest.index("--")], rest[rest.index("--") + 1:]]

by_key = [{}, {}]
counts = []
for side in (0, 1):
    read = invalid = 0
    for name in files[side]:
        for line in lines_of(name):
            read += 1
            f = parse(line) if fmt == "csv" else line.split(b"\t")
            if f is None or len(f) != fields[side]:
                invalid += 1
                continue
            other = b",".join(canonical(x) for i, x in enumerate(f) if i != keys[side])
            by_key[side].setdefault(f[keys[side]], []).append(other)
    counts += [read, invalid]

left, right = by_key
if kind == "inner":
    out_keys = set(left) & set(right)
elif kind == "left":
    out_keys = set(left)
else:
    out_keys = set(left) | set(right)
none = [b"," * (n - 2) if n > 1 else b"" for n in fields]
out = sys.stdout.buffer
for k in sorted(out_keys):
    ls, rs = left.get(k, [none[0]]), right.get(k, [none[1]])
    for l in ls:
        for r in rs:
            row = canonical(k)
            if fields[0] > 1:
                row += b"," + l
            if fields[1] > 1:
                row += b"," + r
            out.write(row + b"\n")
open("join_counts.txt", "w").write("%d %d %d %d\n" % tuple(counts))
