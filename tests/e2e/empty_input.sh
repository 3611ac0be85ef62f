# tests/e2e/empty_input.sh: empty files give an empty, valid output.
source "$(dirname "$0")/lib.sh"
: >empty1.txt
: >empty2.txt
mr 0 import -o in.h5 empty1.txt empty2.txt
for n in 1 3; do
  mr "$n" run wordcount -i in.h5 -o "out$n.h5" -q || fail "run on empty input, $n ranks"
  [ -f "out$n.h5" ] || fail "no output file for empty input"
  [ -z "$(mr 0 export "out$n.h5")" ] || fail "export of empty output is not empty"
  h5dump -H "out$n.h5" >/dev/null || fail "h5dump cannot read the empty output"
done
echo "ok: empty input gives an empty output"
