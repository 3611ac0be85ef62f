# tests/e2e/output_schema.sh: the output file follows the documented schema and
# reads without our code (h5py, h5dump); with the same --reducers it holds the
# same rows in the same order whatever the number of ranks.
source "$(dirname "$0")/lib.sh"
make_corpus
mr 0 import -o in.h5 "${CORPUS[@]}"
mr 2 run wordcount -i in.h5 -o out2.h5 --reducers 3 --split-size 16k -q
mr 4 run wordcount -i in.h5 -o out4.h5 --reducers 3 --split-size 16k -q --report report.json
oracle "${CORPUS[@]}" >expected.tsv

# h5py (Debian's python3-h5py, so /usr/bin/python3) rebuilds the table alone.
/usr/bin/python3 - out2.h5 expected.tsv <<'PY' || fail "h5py check"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
a = f.attrs
assert a["job"] == b"wordcount", a["job"]
assert a["value_type"] == b"uint64"
assert int(a["reducers"]) == 3 and int(a["mapreduce_output_version"]) == 4
assert a["checksum"] == b"xxh3-64" and f["partition_checksums"].shape == (3,)
assert a["export_format"] == b"key_tab_value" and a["partitioning"] == b"hash"
keys, ko, vals, po = f["keys"][:], f["key_offsets"][:], f["values"][:], f["partition_offsets"][:]
n = int(a["records"])
assert vals.dtype == "uint64" and keys.dtype == "uint8"
assert len(ko) == n + 1 and len(vals) == n and len(po) == 4 and po[0] == 0 and po[-1] == n
br, bs = f["block_rows"][:], f["block_checksums"][:]
assert br[0] == 0 and br[-1] == n and all(br[i] < br[i + 1] for i in range(len(br) - 1))
assert len(bs) == len(br) - 1 and set(po) <= set(br) | {n}, "blocks cross partitions"
rows = {}
for p in range(3):
    part = [bytes(keys[ko[i]:ko[i + 1]]) for i in range(po[p], po[p + 1])]
    assert part == sorted(part), "partition %d is not sorted by key" % p
    for i in range(po[p], po[p + 1]):
        rows[bytes(keys[ko[i]:ko[i + 1]])] = int(vals[i])
expected = {}
for line in open(sys.argv[2], "rb"):
    k, v = line.rstrip(b"\n").split(b"\t")
    expected[k] = int(v)
assert rows == expected, "rows differ from the oracle"
print("ok: h5py reads %d rows matching the oracle" % n)
PY

h5dump -H out2.h5 | grep -q 'DATASET "partition_offsets"' || fail "h5dump does not show the datasets"
for d in keys key_offsets values partition_offsets block_rows block_checksums; do
  cmp -s <(h5dump -d "/$d" out2.h5 | tail -n +3) <(h5dump -d "/$d" out4.h5 | tail -n +3) ||
    fail "/$d differs between 2 and 4 ranks"
done
echo "ok: same datasets at 2 and 4 ranks"

# The report's counts, against counts made without our code.
lines=$(LC_ALL=C awk 'END { print NR }' "${CORPUS[@]}")
words=$(LC_ALL=C awk -F'\t' '{ s += $2 } END { print s }' expected.tsv)
distinct=$(wc -l <expected.tsv)
/usr/bin/python3 - report.json "$lines" "$words" "$distinct" <<'PY' || fail "report check"
import sys, json
r = json.load(open(sys.argv[1]))
lines, words, distinct = map(int, sys.argv[2:5])
p = r["phases"]
assert r["ranks"] == 4 and r["workers"] == 3 and r["reducers"] == 3, r
assert p["map"]["records_in"] == lines, (p["map"]["records_in"], lines)
assert p["map"]["pairs_emitted"] == words, (p["map"]["pairs_emitted"], words)
assert p["reduce"]["rows_out"] == distinct and p["reduce"]["keys"] == distinct
assert p["map"]["bytes_in"] == p["split"]["bytes_in"]
assert p["shuffle"]["bytes_in"] == p["shuffle"]["bytes_out"] > 0
# Each worker's tasks' pairs, combined across them before the shuffle: what
# reduce receives (nothing spills here).
s = p["shuffle"]
assert 0 < s["combine_pairs_out"] < s["combine_pairs_in"] <= p["map"]["pairs_out"], s
assert p["reduce"]["pairs_in"] == p["map"]["pairs_out"] - s["combine_pairs_in"] + s["combine_pairs_out"], (p, s)
assert r["tasks"] == p["split"]["tasks_out"] > 1
for name, stat in r["per_worker"].items():
    assert len(stat["values"]) == 3, name
    assert stat["min"] <= stat["median"] <= stat["max"], name
assert sum(r["per_worker"]["tasks"]["values"]) == r["tasks"]
print("ok: the report counts %d lines, %d words, %d distinct" % (lines, words, distinct))
PY

# scripts/timeline.py (docs/file-formats.md shows its output): one line a rank,
# each worker through map, shuffle, reduce and write in that order.
timeline=$(/usr/bin/python3 "$(dirname "$0")/../../scripts/timeline.py" report.json) ||
  fail "timeline.py failed"
[ "$(grep -c '^rank [0-3] (' <<<"$timeline")" = 4 ] || fail "timeline: not one line a rank: $timeline"
grep '^rank 1 ' <<<"$timeline" | grep -q ' map .* shuffle .* reduce .* write ' ||
  fail "timeline: rank 1's phases out of order: $timeline"
echo "ok: timeline.py prints each rank's phases"
