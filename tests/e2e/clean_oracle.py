# tests/e2e/clean_oracle.py: the clean job's oracle, written from docs/jobs.md
# with Python regexes. Usage: clean_oracle.py FIELDS KEY HEADER FILES...
# Prints the kept records (canonical CSV) in byte order of their key, then
# writes "read invalid duplicate" to counts.txt.
import sys

from csv_rules import canonical, parse

fields, key, header = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "true"
kept, read, invalid, valid = {}, 0, 0, 0
for name in sys.argv[4:]:
    data = open(name, "rb").read()
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    if data == b"":
        lines = []
    for i, line in enumerate(lines):
        if header and i == 0:
            continue
        if line.endswith(b"\r"):  # a record never holds the \r of \r\n (nor of
            line = line[:-1]      # a last line: import ends it with \n)
        read += 1
        f = parse(line)
        if f is None or len(f) != fields:
            invalid += 1
            continue
        valid += 1
        kept.setdefault(f[key - 1], b",".join(canonical(x) for x in f))
for k in sorted(kept):
    sys.stdout.buffer.write(kept[k] + b"\n")
open("counts.txt", "w").write("%d %d %d\n" % (read, invalid, valid - len(kept)))
