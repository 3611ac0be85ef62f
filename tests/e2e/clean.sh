# tests/e2e/clean.sh RANKS "SPLIT...": the clean job against a Python oracle.
source "$(dirname "$0")/lib.sh"
ranks=$1
"$GEN_DATA" csv 1500000 3 >a.csv
"$GEN_DATA" csv 400000 4 >b.csv
printf 'id,name,city,amount\r\n5, "x", y ,1\r\n5,dup,dup,2\r\n,,,\n,,,\n"q""uote", "a,b" ,"  lead",tail  ' >c.csv
: >empty.csv
mr 0 import -o in.h5 a.csv empty.csv b.csv c.csv
for header in false true; do
  "$PY" "$(dirname "$0")/clean_oracle.py" 4 1 "$header" a.csv empty.csv b.csv c.csv >expected.csv
  read -r nread ninvalid ndup <counts.txt
  [ "$ninvalid" -gt 100 ] && [ "$ndup" -gt 1000 ] || fail "generated CSV lacks invalid or duplicate records"
  for split in $2; do
    mr "$ranks" run clean -i in.h5 -o out.h5 --split-size "$split" --overwrite \
      --param fields=4 --param header="$header" 2>stderr.txt || { cat stderr.txt >&2; fail "clean failed"; }
    mr 0 export out.h5 >got.csv
    same_file got.csv expected.csv "clean header=$header, $ranks ranks, split $split"
    grep -qx "clean: duplicate=$ndup invalid=$ninvalid read=$nread" stderr.txt ||
      { cat stderr.txt >&2; fail "counts printed are not duplicate=$ndup invalid=$ninvalid read=$nread"; }
    echo "ok: clean header=$header, $ranks ranks, split $split: $(wc -l <got.csv) kept, $ninvalid invalid, $ndup duplicates"
  done
done
# The key column: the 3rd field (city) keeps the first record of each city.
"$PY" "$(dirname "$0")/clean_oracle.py" 4 3 false a.csv empty.csv b.csv c.csv >expected.csv
run_split "$ranks" 64k out.h5 clean -i in.h5 --param fields=4 --param key=3
mr 0 export out.h5 >got.csv
same_file got.csv expected.csv "clean key=3, $ranks ranks"
echo "ok: clean key=3, $ranks ranks: $(wc -l <got.csv) kept"
