# tests/e2e/config_file.sh: `mapreduce run --config FILE` reads run's flags
# from a TOML file's [run] section; the command line wins; a key that is no
# flag of run's, or outside [run], is refused with one message on every rank
# count, never ignored.
source "$(dirname "$0")/lib.sh"
"$GEN_TEXT" 200000 31 5000 >a.txt
oracle a.txt >expected.tsv
mr 0 import -o a.h5 a.txt 2>/dev/null
cat >job.toml <<'TOML'
# a word count, as a batch script would name it
[run]
job = "wordcount"
input = ["a.h5"]
output = "out.h5"
reducers = 3
report = "report.json"
quiet = true
TOML
reducers() { "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["reducers"])' report.json; }

mr 2 run --config job.toml || fail "run --config failed"
mr 0 export out.h5 >got.tsv
same_file got.tsv expected.tsv "run --config job.toml"
[ "$(reducers)" = 3 ] || fail "--config: reducers $(reducers), expected 3"
mr 2 run --config job.toml --reducers 5 --overwrite || fail "run --config with --reducers failed"
[ "$(reducers)" = 5 ] || fail "the command line did not win over the file: reducers $(reducers)"
echo "ok: run --config FILE at 2 ranks equals the oracle; --reducers on the command line wins"

rm -f out.h5
sed 's/^reducers = 3/reducer = 3/' job.toml >typo.toml
printf 'reducers = 3\n' | cat - job.toml >outside.toml
{ cat job.toml; printf '[import]\nformat = "tsv"\n'; } >import.toml
for n in 0 3; do
  expect_refusal "a mistyped key, $n ranks" "--config: 'reducer' in [run] is not a flag of 'run'; did you mean 'reducers'?" \
    out.h5 mr "$n" run --config typo.toml
  expect_refusal "a key outside [run], $n ranks" "'reducers' is outside section [run]" out.h5 \
    mr "$n" run --config outside.toml
  expect_refusal "a section [import], $n ranks" "section [import] is not read" out.h5 \
    mr "$n" run --config import.toml
  expect_refusal "no such file, $n ranks" "nope.toml" out.h5 mr "$n" run --config nope.toml
done
