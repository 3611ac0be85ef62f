# bench/streaming/wc_map.py: word count's mapper for the streaming job and
# for a shell pipeline (lines in, `word<TAB>1` lines out; ASCII whitespace).
import sys

out = sys.stdout.buffer
for line in sys.stdin.buffer:
    for word in line.split():
        out.write(word + b"\t1\n")
