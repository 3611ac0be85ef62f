# tests/e2e/log_analysis.sh RANKS "SPLIT...": log-analysis (by status, url,
# host; min-status; the top rows printed) against awk and sort.
source "$(dirname "$0")/lib.sh"
ranks=$1
"$GEN_DATA" logs 2000000 11 >a.log
"$GEN_DATA" logs 300000 12 >b.log
mr 0 import -o in.h5 a.log b.log
oracle_counts() { # MODE MIN
  LC_ALL=C awk 1 a.log b.log | LC_ALL=C awk -v mode="$1" -v min="$2" -v bad=bad.txt \
    -f "$(dirname "$0")/access_log_oracle.awk" | LC_ALL=C sort | LC_ALL=C uniq -c |
    LC_ALL=C awk '{ c = $1; sub(/^ *[0-9]+ /, ""); print $0 "\t" c }'
}
for split in $2; do
  for spec in "status 400 10" "url 404 5" "host 500 3" "status 0 2"; do
    read -r by min top <<<"$spec"
    mode=$by
    [ "$by" = url ] && mode=urlstatus
    oracle_counts "$mode" "$min" >expected.tsv
    [ -s expected.tsv ] || fail "the oracle found nothing for $spec"
    LC_ALL=C sort -t "$(printf '\t')" -k2,2nr -k1,1 expected.tsv >by_count.tsv
    { echo "top $(($(wc -l <expected.tsv) < top ? $(wc -l <expected.tsv) : top)) by count:"
      head -n "$top" by_count.tsv; } >expected_top.txt
    mr "$ranks" run log-analysis -i in.h5 -o out.h5 --split-size "$split" --overwrite -q \
      --param by="$by" --param min-status="$min" --param top="$top" >top.txt ||
      fail "log-analysis $spec failed"
    mr 0 export out.h5 >got.tsv
    same_file got.tsv expected.tsv "log-analysis $spec, $ranks ranks, split $split"
    same_file top.txt expected_top.txt "log-analysis top rows, $spec"
    echo "ok: log-analysis by=$by min-status=$min, $ranks ranks, split $split: $(wc -l <got.tsv) keys, top $top"
  done
done
