# tests/e2e/stage_program.sh: mr::Launch and mr::run_stage in a program of
# one's own (tests/tools/stage_program.cpp): two stages in one launch, equal
# to the oracle, each rank told the same rows.
source "$(dirname "$0")/lib.sh"
: "${STAGE_PROGRAM:?}"
make_corpus
mr 0 import -o in.h5 "${CORPUS[@]}"
oracle "${CORPUS[@]}" >counts.tsv
LC_ALL=C sort -t$'\t' -k2,2nr -k1,1 counts.tsv >ranked.tsv
head -n 7 ranked.tsv >expected.tsv
bounded env "$(new_session)" "$MPIEXEC" -n 3 "${MPI_FLAGS[@]}" "$STAGE_PROGRAM" in.h5 top.h5 7 \
  >out.txt 2>err.txt || { cat err.txt >&2; fail "the program failed"; }
mr 0 export top.h5 >got.tsv
same_file got.tsv expected.tsv "run_stage: wordcount then top"
distinct=$(wc -l <counts.tsv)
for r in 0 1 2; do
  grep -qx "rank $r: counts rows $distinct, top rows 7, exit 0" out.txt ||
    { cat out.txt >&2; fail "rank $r did not learn the stages' rows"; }
done
echo "ok: a program of its own ran two stages in one launch; every rank learnt their rows"
