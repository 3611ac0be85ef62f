# tests/e2e/inverted_index.sh RANKS "SPLIT...": inverted-index against Python,
# on files with spaces and non-ASCII bytes in their names, one imported twice,
# and a single line of 150 k distinct words, each twice (past the job's set of
# a file's words, which then starts again within the line: reduce drops the
# words emitted twice).
source "$(dirname "$0")/lib.sh"
ranks=$1
mkdir -p "docs/sub dir" docs/$'caf\xc3\xa9'
"$GEN_TEXT" 300000 21 3000 --edge-cases >"docs/sub dir/a b.txt"
"$GEN_TEXT" 200000 22 3000 >docs/$'caf\xc3\xa9'/$'\xff.txt'
"$GEN_TEXT" 100000 23 500 >docs/z.txt
: >docs/empty.txt
{ seq -f 'w%g' 1 150000; seq -f 'w%g' 1 150000; } | tr '\n' ' ' >docs/one_line.txt
printf 'only\tin this file' >last.txt
mr 0 import -o in.h5 docs last.txt docs/z.txt
"$PY" - docs last.txt docs/z.txt >expected.tsv <<'PY'
import os, re, sys
paths = []
for a in sys.argv[1:]:
    if os.path.isdir(a):
        paths += sorted(os.fsencode(os.path.join(r, f)) for r, _, fs in os.walk(a) for f in fs)
    else:
        paths.append(os.fsencode(a))
index = {}
for p in paths:
    for w in re.split(rb"[ \t\n\v\f\r]+", open(p, "rb").read()):
        if w:
            index.setdefault(w, set()).add(p)
for w in sorted(index):
    sys.stdout.buffer.write(w + b"\t" + b"\t".join(sorted(index[w])) + b"\n")
PY
for split in $2; do
  run_split "$ranks" "$split" out.h5 inverted-index -i in.h5
  mr 0 export out.h5 >got.tsv
  same_file got.tsv expected.tsv "inverted-index, $ranks ranks, split $split"
  echo "ok: inverted-index, $ranks ranks, split $split: $(wc -l <got.tsv) words"
done
