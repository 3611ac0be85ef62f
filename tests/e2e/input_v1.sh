# tests/e2e/input_v1.sh: an input written by version 1 of import (file names
# as fixed-length strings in /files/names) still runs: word count and
# inverted-index (which prints the names) match their oracles.
source "$(dirname "$0")/lib.sh"
printf 'a b c\nb c\n' >one.txt
printf 'c d\r\nno newline c' >"two words.txt"
"$PY" - <<'PY'
import h5py, numpy as np
files = [b"one.txt", b"two words.txt"]
data = b""
offsets = [0]
for name in files:
    d = open(name, "rb").read()
    data += d if d.endswith(b"\n") else d + b"\n"
    offsets.append(len(data))
f = h5py.File("v1.h5", "w")
f.create_dataset("data", data=np.frombuffer(data, dtype=np.uint8), chunks=(1 << 20,), maxshape=(None,))
g = f.create_group("files")
g.create_dataset("names", data=np.array(files, dtype="S%d" % max(map(len, files))))
g.create_dataset("offsets", data=np.array(offsets, dtype=np.uint64))
f.attrs["mapreduce_input_version"] = np.uint64(1)
f.attrs["format"] = np.bytes_(b"lines")
f.attrs["files"] = np.uint64(2)
f.attrs["bytes"] = np.uint64(len(data))
PY
mr 2 run wordcount -i v1.h5 -o wc.h5 -q || fail "word count on a version 1 input"
mr 0 export wc.h5 >got.tsv
oracle one.txt "two words.txt" >expected.tsv
same_file got.tsv expected.tsv "word count on a version 1 input"
mr 2 run inverted-index -i v1.h5 -o ii.h5 -q || fail "inverted-index on a version 1 input"
mr 0 export ii.h5 >got.tsv
printf 'a\tone.txt\nb\tone.txt\nc\tone.txt\ttwo words.txt\nd\ttwo words.txt\nnewline\ttwo words.txt\nno\ttwo words.txt\n' >expected.tsv
same_file got.tsv expected.tsv "inverted-index on a version 1 input"
echo "ok: a version 1 input runs, its file names read"
