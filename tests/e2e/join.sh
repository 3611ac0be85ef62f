# tests/e2e/join.sh RANKS "SPLIT...": the join job (two inputs) against a
# Python oracle (a dictionary per side, CSV by the rules clean is tested
# with), inner, left and full, CSV and TSV, with skewed keys.
source "$(dirname "$0")/lib.sh"
ranks=$1
here=$(dirname "$0")
# Left: customers-like records; right: orders-like, of other seeds; both
# with invalid records and Zipf-skewed ids (the first field).
"$GEN_DATA" csv 150000 3 >left.csv
"$GEN_DATA" csv 60000 5 >right.csv
printf '9999,only,left,1\n"q""k", "a,b" ,"  lead",x\n' >>left.csv
printf '8888,only,right,2\n"q""k",r,s,t\r\n' >>right.csv
mr 0 import -o left.h5 left.csv
mr 0 import -o right.h5 right.csv
for type in inner left full; do
  "$PY" "$here/join_oracle.py" csv "$type" 4 4 1 1 left.csv -- right.csv >expected.csv
  read -r rl il rr ir <join_counts.txt
  [ "$il" -gt 10 ] && [ "$ir" -gt 10 ] || fail "the generated CSV lacks invalid records"
  for split in $2; do
    mr "$ranks" run join -i left.h5 -i right.h5 -o out.h5 --split-size "$split" --overwrite \
      --param left-fields=4 --param right-fields=4 --param type="$type" 2>stderr.txt ||
      { cat stderr.txt >&2; fail "join failed"; }
    mr 0 export out.h5 >got.csv
    same_file got.csv expected.csv "join type=$type, $ranks ranks, split $split"
    grep -qx "join: invalid_left=$il invalid_right=$ir read_left=$rl read_right=$rr" stderr.txt ||
      { cat stderr.txt >&2; fail "counts are not invalid_left=$il invalid_right=$ir"; }
  done
  echo "ok: join type=$type, $ranks ranks, splits $2: $(wc -l <got.csv) rows"
done

# Other key fields (the 3rd of the left, the 2nd of the right: a product of
# few distinct values), and TSV: fields cut at TABs, one with a comma.
"$PY" "$here/join_oracle.py" csv inner 4 4 3 2 left.csv -- right.csv >expected.csv
run_split "$ranks" 32k out.h5 join -i left.h5 -i right.h5 --param left-fields=4 \
  --param right-fields=4 --param left-key=3 --param right-key=2
mr 0 export out.h5 >got.csv
same_file got.csv expected.csv "join on fields 3 and 2, $ranks ranks"
head -3000 left.csv | tr ',' '\t' >left.tsv
printf 'k1\ta,b\tx\nk1\ty\tz\nbad\n' >>left.tsv
head -3000 right.csv | tr ',' '\t' >right.tsv
printf 'k1\tR\nk2\tS\n' >>right.tsv
mr 0 import -o left_tsv.h5 left.tsv
mr 0 import -o right_tsv.h5 right.tsv
"$PY" "$here/join_oracle.py" tsv full 3 2 1 1 left.tsv -- right.tsv >expected.csv
run_split "$ranks" 8k out.h5 join -i left_tsv.h5 -i right_tsv.h5 --param format=tsv \
  --param left-fields=3 --param right-fields=2 --param type=full
mr 0 export out.h5 >got.csv
same_file got.csv expected.csv "join of TSV, full, $ranks ranks"
grep -qx 'k1,"a,b",x,R' got.csv || fail "a TSV field with a comma is not quoted"
echo "ok: join on other fields, and of TSV"

[ "$ranks" = 2 ] || exit 0
# A key shared by 2000 records a side: 4,000,000 rows, streamed to the
# output spool within --memory-limit (peak RSS within a tiny join's under
# the same limit plus 1.5 x the limit), not held in memory.
awk 'BEGIN { for (i = 0; i < 2000; i++) print "hot,l" i }' >hot_left.csv
awk 'BEGIN { for (i = 0; i < 2000; i++) print "hot,r" i }' >hot_right.csv
head -1 hot_left.csv >tiny_left.csv
head -1 hot_right.csv >tiny_right.csv
for f in hot_left hot_right tiny_left tiny_right; do mr 0 import -o "$f.h5" "$f.csv"; done
join2() { # join2 LEFT RIGHT OUT REPORT
  mr 2 run join -i "$1.h5" -i "$2.h5" -o "$3" --param left-fields=2 --param right-fields=2 \
    --memory-limit 4MiB --report "$4" -q || fail "join of $1 and $2 under 4MiB"
}
join2 tiny_left tiny_right tiny.h5 tiny.json
join2 hot_left hot_right hot.h5 hot.json
[ "$(mr 0 export hot.h5 | LC_ALL=C sort -u | wc -l)" = 4000000 ] || fail "hot key: not 4M distinct rows"
"$PY" - tiny.json hot.json <<'PY' || fail "hot key memory"
import json, sys
tiny, hot = (json.load(open(p)) for p in sys.argv[1:3])
base = max(tiny["per_worker"]["peak_rss_bytes"]["values"])
peak = max(hot["per_worker"]["peak_rss_bytes"]["values"])
spilled = hot["memory"]["rows_spilled_bytes"]
print("hot key: peak %.1f MiB (tiny join %.1f MiB, limit 4 MiB), rows spilled %.0f MiB"
      % (peak / 2**20, base / 2**20, spilled / 2**20))
assert spilled > 100 << 20, "the rows were not spilled"
assert peak <= base + 1.5 * (4 << 20), "peak RSS beyond the limit"
PY
echo "ok: 4,000,000 rows of one key streamed within --memory-limit 4MiB"

# Bad input: one message each, no output.
expect_error "join key beyond fields" "parameter 'left-key': field 5 is beyond left-fields=4" \
  bad.h5 mr 2 run join -i left.h5 -i right.h5 -o bad.h5 --param left-fields=4 \
  --param right-fields=4 --param left-key=5
expect_error "join type=outer" "parameter 'type': 'outer' is not one of inner, left, full" \
  bad.h5 mr 2 run join -i left.h5 -i right.h5 -o bad.h5 --param left-fields=4 \
  --param right-fields=4 --param type=outer
expect_error "join of one input" "job join reads 2 inputs (-i A -i B ...), not 1" \
  bad.h5 mr 2 run join -i left.h5 -o bad.h5 --param left-fields=4 --param right-fields=4
mr 2 run join -i left.h5 -i right.h5 -o pairs.h5 --param left-fields=4 --param right-fields=4 -q
expect_error "join of an output" "job join reads lines as its input 2, but 'pairs.h5' holds key/value pairs" \
  bad.h5 mr 2 run join -i left.h5 -i pairs.h5 -o bad.h5 --param left-fields=4 --param right-fields=4
expect_error "output is the second input" "is the input 'right.h5'" "" \
  mr 2 run join -i left.h5 -i right.h5 -o right.h5 --overwrite --param left-fields=4 \
  --param right-fields=4
