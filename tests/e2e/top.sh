# tests/e2e/top.sh RANKS "SPLIT...": the simplest pipeline, wordcount then
# top (an output read as an input), against coreutils: counts by
# `sort | uniq -c`, ranked by `sort -k2,2nr -k1,1` (ties by key bytes).
source "$(dirname "$0")/lib.sh"
ranks=$1
make_corpus
"$GEN_TEXT" 3000000 3 2000000 >vocab.txt # many distinct words
CORPUS+=(vocab.txt)
mr 0 import -o in.h5 "${CORPUS[@]}"
# One reducer: one partition of ~4 MB, so the counts file has several
# checksum blocks and the second stage several tasks at small splits.
mr "$ranks" run wordcount -i in.h5 -o counts.h5 --reducers 1 -q || fail "wordcount"
blocks=$(/usr/bin/python3 -c 'import h5py, sys; print(len(h5py.File(sys.argv[1])["block_checksums"]))' counts.h5)
[ "$blocks" -ge 3 ] || fail "counts.h5 has $blocks checksum blocks, not several"
oracle "${CORPUS[@]}" | LC_ALL=C sort -t$'\t' -k2,2nr -k1,1 >ranked.tsv
distinct=$(wc -l <ranked.tsv)
[ "$distinct" -gt 200000 ] || fail "the corpus has too few distinct words: $distinct"
for split in $2; do
  for n in 10 1 1000 1000000; do
    run_split "$ranks" "$split" top.h5 top -i counts.h5 --param "n=$n"
    mr 0 export top.h5 >got.tsv
    head -n "$n" ranked.tsv >expected.tsv
    same_file got.tsv expected.tsv "top n=$n, $ranks ranks, split $split"
  done
  echo "ok: top n=10, 1, 1000, all ($distinct), $ranks ranks, split $split"
done

# Counts as decimal text (import --format tsv) rank the same; a value that
# is not a count is counted and skipped.
{ cat ranked.tsv; printf 'not-a-count\tx\nnegative\t-1\n'; } >counts.tsv
mr 0 import --format tsv -o counts_tsv.h5 counts.tsv
run_split "$ranks" 64k top_tsv.h5 top -i counts_tsv.h5 --param n=100 --report r.json
mr 0 export top_tsv.h5 >got.tsv
head -n 100 ranked.tsv >expected.tsv
same_file got.tsv expected.tsv "top of a tsv import, $ranks ranks"
grep -q '"malformed_counts": 2' r.json || fail "top does not count 2 malformed counts"
echo "ok: top of a tsv import, 2 malformed counts skipped"
