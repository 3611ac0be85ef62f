# tests/e2e/url_frequency.sh RANKS "SPLIT...": url-frequency against awk.
source "$(dirname "$0")/lib.sh"
ranks=$1
"$GEN_DATA" logs 3000000 7 >a.log
"$GEN_DATA" logs 500000 8 >b.log
printf 'h - - [x] "GET /no-newline HTTP/1.0" 200 1' >c.log
mr 0 import -o in.h5 a.log b.log c.log
LC_ALL=C awk 1 a.log b.log c.log | LC_ALL=C awk -v mode=url -v bad=bad.txt \
  -f "$(dirname "$0")/access_log_oracle.awk" | LC_ALL=C sort | LC_ALL=C uniq -c |
  LC_ALL=C awk '{ c = $1; sub(/^ *[0-9]+ /, ""); print $0 "\t" c }' >expected.tsv
[ "$(wc -l <expected.tsv)" -gt 1000 ] || fail "the oracle found too few URLs"
for split in $2; do
  run_split "$ranks" "$split" out.h5 url-frequency -i in.h5 --report report.json
  mr 0 export out.h5 >got.tsv
  same_file got.tsv expected.tsv "url-frequency, $ranks ranks, split $split"
  grep -q "\"malformed_lines\": $(cat bad.txt)" report.json ||
    fail "report does not count $(cat bad.txt) malformed lines: $(grep -o '"counters".*' report.json)"
  echo "ok: url-frequency, $ranks ranks, split $split: $(wc -l <got.tsv) URLs, $(cat bad.txt) malformed"
done
