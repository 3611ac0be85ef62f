# tests/e2e/command_progress.sh: import, export and verify say how far they
# are on stderr (issue 17: they printed nothing however long they took): in
# a log timestamped lines with MB or rows done, the last at 100%, before the
# command's own summary; never on stdout (the export's data and verify's
# findings are as without it); -q: no progress, and import's summary gone.
source "$(dirname "$0")/lib.sh"
"$GEN_TEXT" 40000000 43 20000 >a.txt # about 40 MB: verify checks it in 16 MiB pieces
gzip -c a.txt >b.txt.gz
stamp='^\[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\] '

mr 0 import -o in.h5 --progress 0 a.txt 2>import.txt || { cat import.txt; fail "import failed"; }
grep -qE "${stamp}import: [0-9.]+ of [0-9.]+ MB read \\([0-9]+%\\)" import.txt || { cat import.txt; fail "import: no progress line"; }
grep -E "$stamp" import.txt | tail -1 | grep -q '(100%)' || { cat import.txt; fail "import: the last line is not at 100%"; }
tail -1 import.txt | grep -q '^imported 1 file(s)' || { cat import.txt; fail "import: the summary is not last"; }
# gzip: progress in compressed bytes, which end at 100% too.
mr 0 import -o gz.h5 --gunzip --progress 0 b.txt.gz 2>gz.txt || { cat gz.txt; fail "import --gunzip failed"; }
grep -E "$stamp" gz.txt | tail -1 | grep -q "of $(awk -v b="$(stat -c %s b.txt.gz)" 'BEGIN{printf "%.1f", b/1e6}') MB read (100%)" ||
  { cat gz.txt; fail "import --gunzip: the last line is not its compressed size at 100%"; }
mr 0 import -o quiet.h5 -q a.txt 2>quiet.txt || fail "import -q failed"
[ ! -s quiet.txt ] || { cat quiet.txt; fail "import -q printed"; }
echo "ok: import: $(grep -cE "$stamp" import.txt) progress lines to 100%, then the summary; -q silent"

mr 0 verify in.h5 --progress 0 >verified.txt 2>verify.txt || { cat verify.txt; fail "verify failed"; }
[ "$(grep -cE "${stamp}verify: [0-9.]+ of [0-9.]+ MB checked" verify.txt)" -ge 2 ] || { cat verify.txt; fail "verify: not a line a piece"; }
grep -q 'every 1 MiB chunk matches' verified.txt || fail "verify: its finding is not on stdout"
mr 0 verify in.h5 -q >quiet.txt 2>&1
[ "$(cat quiet.txt)" = "$(cat verified.txt)" ] || fail "verify -q: not just the finding"
echo "ok: verify: $(grep -cE "$stamp" verify.txt) progress lines on stderr, the finding alone on stdout"

mr 2 run wordcount -i in.h5 -o counts.h5 -q --reducers 6 # a line a partition checked
mr 0 export counts.h5 --progress 0 >with.tsv 2>export.txt || { cat export.txt; fail "export failed"; }
mr 0 export counts.h5 -q >quiet.tsv 2>quiet.txt
same_file with.tsv quiet.tsv "export with progress and without"
[ ! -s quiet.txt ] || fail "export -q printed on stderr"
rows=$(wc -l <with.tsv)
grep -E "$stamp" export.txt | tail -1 | grep -q "export: $rows of $rows rows printed (100%)" || { tail -3 export.txt; fail "export: no last line of $rows rows printed"; }
# Every partition is checked before a row is printed: that step says so too.
grep -qE "${stamp}export: [0-9]+ of $rows rows checked" export.txt || { head -3 export.txt; fail "export: no line of its check"; }
[ "$(grep -n 'rows checked' export.txt | tail -1 | cut -d: -f1)" -lt "$(grep -n 'rows printed' export.txt | head -1 | cut -d: -f1)" ] ||
  fail "export: checking and printing lines interleave"
echo "ok: export: $(grep -cE "$stamp" export.txt) progress lines (checked, then printed) to $rows rows; the data as without"
mr 0 verify counts.h5 --progress 0 >verified.txt 2>verify.txt || { cat verify.txt; fail "verify of an output failed"; }
grep -E "$stamp" verify.txt | tail -1 | grep -q "verify: $rows of $rows rows checked (100%)" || { cat verify.txt; fail "verify of an output: no last line in rows"; }
grep -q 'every partition matches' verified.txt || fail "verify of an output: its finding is not on stdout"
echo "ok: verify of an output counts rows: $(grep -cE "$stamp" verify.txt) lines"

# On a terminal: no timestamped lines, and whatever progress there is (none
# if the import took under a second: when is decided in command_progress_test
# on a fake clock, not here, where a busy machine makes any import slow) is
# one line redrawn in place, ended at 100% before the summary.
if command -v script >/dev/null; then
  script -qec "$MAPREDUCE import -o tty.h5 b.txt.gz --gunzip" /dev/null >tty.txt 2>&1 || { cat tty.txt; fail "import on a terminal failed"; }
  python3 - tty.txt <<'PY' || { cat -v tty.txt; fail "import on a terminal: not one line redrawn in place, then the summary"; }
import re, sys
text = open(sys.argv[1], 'rb').read().decode().replace('\r\n', '\n')
assert not re.search(r'^\[\d{4}-', text, re.M), 'a timestamped line'
progress, _, summary = text.rpartition('\033[K\n') if '\033[K' in text else ('', '', text)
assert re.fullmatch(r'imported 1 file\(s\), \d+ bytes into tty\.h5 \(1 gzip file\(s\) decompressed\)\n', summary), summary
if progress:
    pieces = progress.split('\033[K')
    assert all(re.fullmatch(r'\rimport: [0-9.]+ of [0-9.]+ MB read \(\d+%\).*', p) for p in pieces), pieces
    assert '(100%)' in pieces[-1], pieces[-1]
PY
  echo "ok: import on a terminal: $(grep -o 'import: ' tty.txt | wc -l) redrawn progress pieces, then the summary"
fi
