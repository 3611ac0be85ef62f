# tests/e2e/streaming_setup.sh: what streaming.sh and streaming_commands.sh
# share (sourced after lib.sh): the corpus imported as in.h5, coreutils'
# word counts of it in expected.tsv, and word count's mapper and reducer in
# Python (map.py, reduce.py).
make_corpus
mr 0 import -o in.h5 "${CORPUS[@]}"
oracle "${CORPUS[@]}" >expected.tsv

cat >map.py <<'PY'
import sys
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    for word in line.split():  # ASCII whitespace, as the oracle's tr
        out.write(word + b"\t1\n")
PY
# Word count's reducer: the one bench/streaming uses.
cp "$(dirname "${BASH_SOURCE[0]}")/../../bench/streaming/wc_reduce.py" reduce.py
