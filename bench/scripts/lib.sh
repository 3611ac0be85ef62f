# bench/scripts/lib.sh: shared by the word count benchmarks (sourced, not run).

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

# real_text_corpus: c1.txt..c4.txt in the current folder, unless there:
# ~122 MB of real text from this machine (the first 40 MB of the gzipped
# docs, 30 MB of the others, 40 MB of man pages, the Python sources).
real_text_corpus() {
  [ -s c4.txt ] && return 0
  set +o pipefail # head ends each pipe early: zcat and cat get SIGPIPE
  (find /usr/share/doc -type f -name '*.gz' -print0 | sort -z | xargs -0 zcat -f) 2>/dev/null | head -c 40000000 >c1.txt
  (find /usr/share/doc -type f ! -name '*.gz' -print0 | sort -z | xargs -0 cat) 2>/dev/null | head -c 30000000 >c2.txt
  (find /usr/share/man -type f -name '*.gz' -print0 | sort -z | xargs -0 zcat -f) 2>/dev/null | head -c 40000000 >c3.txt
  (find /usr/lib/python3* -name '*.py' -print0 | sort -z | xargs -0 cat) 2>/dev/null | head -c 12000000 >c4.txt
  set -o pipefail
}
