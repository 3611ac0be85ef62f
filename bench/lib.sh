# bench/lib.sh: shared by the word count benchmarks (sourced, not run).

# word_oracle FILES...: word counts by coreutils, as word<TAB>count sorted by
# bytes (what `mapreduce export` prints for word count).
word_oracle() {
  LC_ALL=C awk 1 "$@" | tr -s ' \t\n\v\f\r' '\n' | grep -av '^$' | LC_ALL=C sort |
    LC_ALL=C uniq -c | LC_ALL=C awk '{print $2 "\t" $1}'
}

# run NAME CMD...: time CMD (stdout to NAME.out, stderr to err.txt) and
# append "NAME<TAB>seconds" to the file $log; a failure ends the script.
run() {
  local name=$1 t0
  shift
  t0=$(date +%s.%N)
  "$@" >"$name.out" 2>err.txt || { cat err.txt >&2; echo "$name failed" >&2; exit 1; }
  printf '%s\t%s\n' "$name" "$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { print a - b }')" >>"$log"
}
