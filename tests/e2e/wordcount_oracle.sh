# tests/e2e/wordcount_oracle.sh RANKS "SPLIT..." [ROUND_SIZE] [REDUCERS or -] [EXTRA_ARGS]
# import, run and export word count, compared with the coreutils pipeline.
source "$(dirname "$0")/lib.sh"
ranks=$1
splits=$2
round=${3:-64MiB}
reducers=${4:-}
read -r -a extra <<<"${5:-}"

make_corpus
mr 0 import --format lines -o in.h5 "${CORPUS[@]}"
oracle "${CORPUS[@]}" >expected.tsv
[ -s expected.tsv ] || fail "the oracle produced nothing"

for split in $splits; do
  args=(run wordcount -i in.h5 -o "out-$split.h5" --split-size "$split" --round-size "$round" -q)
  [ -n "$reducers" ] && [ "$reducers" != - ] && args+=(--reducers "$reducers")
  args+=("${extra[@]}")
  mr "$ranks" "${args[@]}" || fail "run failed at $ranks ranks, split $split"
  mr 0 export "out-$split.h5" >got.tsv
  if ! cmp -s got.tsv expected.tsv; then
    diff <(head -c 2000 got.tsv) <(head -c 2000 expected.tsv) | head -20 >&2
    fail "$ranks ranks, split $split: output differs from the oracle ($(wc -l <got.tsv) vs $(wc -l <expected.tsv) lines)"
  fi
  echo "ok: $ranks ranks, split $split, round $round: $(wc -l <got.tsv) words match"
done
