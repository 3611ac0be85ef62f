# tests/e2e/grep.sh RANKS "SPLIT...": grep against `awk 1 | grep -aE`.
source "$(dirname "$0")/lib.sh"
ranks=$1
make_corpus
"$GEN_DATA" logs 1000000 5 >d.log
files=("${CORPUS[@]}" d.log)
mr 0 import -o in.h5 "${files[@]}"
for split in $2; do
  for pattern in 'item1[0-9]?\.html' '^[a-z]+ ' '(GET|POST) /shop' 'id=[0-9]+&lang' \
    ' (404|50[0-3]) ' 'é|\xff' 'x{2,}' '' '^$' 'no-such-text-anywhere' '[[:upper:]]{3}'; do
    LC_ALL=C awk '{ sub(/\r$/, "") } 1' "${files[@]}" | LC_ALL=C grep -aE -- "$pattern" >expected.txt || true
    run_split "$ranks" "$split" out.h5 grep -i in.h5 --param "pattern=$pattern"
    mr 0 export out.h5 >got.txt
    same_file got.txt expected.txt "grep '$pattern', $ranks ranks, split $split"
    echo "ok: grep '$pattern', $ranks ranks, split $split: $(wc -l <got.txt) lines"
  done
done
