# tests/e2e/verify.sh: `mapreduce verify` on good and damaged inputs, outputs
# and checkpoints; files from before checksums open with one warning.
source "$(dirname "$0")/lib.sh"
"$GEN_TEXT" 3000000 9 20000 >a.txt
mr 0 import -o in.h5 a.txt 2>/dev/null
mr 3 run wordcount -i in.h5 -o out.h5 --split-size 300k -q --checkpoint-dir ck --keep-checkpoint

expect_ok() { # WHAT PHRASE PATH
  "$MAPREDUCE" verify "$3" >v.txt 2>&1 || { cat v.txt >&2; fail "verify $1: exit $?"; }
  grep -q -- "$2" v.txt || { cat v.txt >&2; fail "verify $1: no '$2'"; }
  echo "ok: verify $1: $(cat v.txt)"
}
expect_ok "a good input" "every 1 MiB chunk matches" in.h5
expect_ok "a good output" "every partition matches" out.h5
expect_ok "a good checkpoint" "0 do not; 0 damaged" ck

flip() { # FILE OFFSET: flips one bit
  $PY -c "
f = open('$1', 'r+b'); f.seek($2); b = f.read(1); f.seek($2); f.write(bytes([b[0] ^ 4])); f.close()"
}
# Damage inside /data (found by its text) and inside the output's keys.
cp in.h5 bad-in.h5
at=$($PY -c "d = open('in.h5','rb').read(); t = open('a.txt','rb').read(); print(d.find(t[2500000:2500064]) + 10)")
flip bad-in.h5 "$at"
expect_error "verify a damaged input" "do not match their checksum; they hold 'a.txt'" "" \
  "$MAPREDUCE" verify bad-in.h5
expect_error "run on a damaged input, 3 ranks" "mapreduce: error: input 'bad-in.h5' is damaged: bytes 2097152..3000" out2.h5 \
  mr 3 run wordcount -i bad-in.h5 -o out2.h5 --split-size 4MiB
cp out.h5 bad-out.h5
at=$($PY -c "
import h5py
f = h5py.File('out.h5', 'r'); print(f['keys'].id.get_offset() + 100)")
flip bad-out.h5 "$at"
expect_error "verify a damaged output" "does not match its checksum" "" "$MAPREDUCE" verify bad-out.h5
expect_error "export a damaged output" "does not match its checksum" "" "$MAPREDUCE" export bad-out.h5
[ ! -s stdout.txt ] || fail "export printed rows of a damaged output"
map1=$(find ck/map -type f | sort | head -1)
printf 'x' >>"$map1"
rc=0
"$MAPREDUCE" verify ck >v.txt 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "1 do not" v.txt || { cat v.txt >&2; fail "verify a damaged checkpoint: exit $rc"; }
echo "ok: verify a damaged checkpoint (exit 1): $(head -1 v.txt)"

# An input without checksums (written as version 2 was): one warning, and
# verify says it cannot check it (exit 2).
$PY - <<'PY'
import h5py
src, dst = h5py.File("in.h5", "r"), h5py.File("old.h5", "w")
for name in ("data", "files"):
    src.copy(name, dst)
for k, v in src.attrs.items():
    if k not in ("checksum", "checksum_chunk_bytes"):
        dst.attrs[k] = v
dst.attrs["mapreduce_input_version"] = 2
PY
rc=0
"$MAPREDUCE" verify old.h5 >v.txt 2>&1 || rc=$?
[ "$rc" -eq 2 ] && grep -q "cannot be verified" v.txt || { cat v.txt >&2; fail "verify an old input: exit $rc"; }
mr 3 run wordcount -i old.h5 -o old-out.h5 2>warn.txt || fail "an old input does not run"
[ "$(grep -c 'has no checksums' warn.txt)" -eq 1 ] || { cat warn.txt >&2; fail "old input: warning not printed once"; }
"$MAPREDUCE" export old-out.h5 | cmp -s - <("$MAPREDUCE" export out.h5) || fail "old input: different result"
echo "ok: an input without checksums runs, with one warning; verify exits 2"
