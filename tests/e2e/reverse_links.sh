# tests/e2e/reverse_links.sh RANKS "SPLIT...": reverse-links against awk and
# coreutils, on an edge list with skewed targets, duplicate edges,
# self-loops and malformed lines.
source "$(dirname "$0")/lib.sh"
ranks=$1
# 200,000 edges over 20,000 nodes; targets skewed (a few are linked from
# thousands of sources); every 997th line malformed.
awk 'BEGIN {
  srand(7)
  for (i = 0; i < 200000; i++) {
    if (i % 997 == 0) { print (i % 3 ? "lonely" : "a b c"); continue }
    s = int(rand() * 20000); t = int(20000 * rand() ^ 4)
    sep = (i % 5 ? " " : "\t  ")
    print "n" s sep "n" t (i % 7 ? "" : "\r")
  }
  print "selfloop selfloop"; print ""; print "x y"; print "x y"
}' >edges.txt
mr 0 import -o edges.h5 edges.txt
LC_ALL=C awk '{ sub(/\r$/, "") } NF == 2 { print $2 "\t" $1 }' edges.txt | LC_ALL=C sort -u |
  LC_ALL=C awk -F'\t' '$1 != k { if (NR > 1) print line; k = $1; line = $1 } { line = line "\t" $2 }
    END { print line }' >expected.tsv
malformed=$(LC_ALL=C awk '{ sub(/\r$/, "") } NF != 2' edges.txt | wc -l)
[ "$malformed" -gt 100 ] || fail "too few malformed lines: $malformed"
for split in $2; do
  run_split "$ranks" "$split" out.h5 reverse-links -i edges.h5 --report r.json
  mr 0 export out.h5 >got.tsv
  same_file got.tsv expected.tsv "reverse-links, $ranks ranks, split $split"
  grep -q "\"malformed_lines\": $malformed" r.json || fail "malformed lines not $malformed"
  echo "ok: reverse-links, $ranks ranks, split $split: $(wc -l <got.tsv) targets"
done
