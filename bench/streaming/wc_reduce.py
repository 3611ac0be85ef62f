# bench/streaming/wc_reduce.py: word count's reducer (and combiner): sorted
# `word<TAB>count` lines in, one `word<TAB>sum` line a word out.
import sys

out = sys.stdout.buffer
key, total = None, 0
for line in sys.stdin.buffer:
    k, _, v = line.rstrip(b"\n").partition(b"\t")
    if k != key:
        if key is not None:
            out.write(key + b"\t%d\n" % total)
        key, total = k, 0
    total += int(v)
if key is not None:
    out.write(key + b"\t%d\n" % total)
