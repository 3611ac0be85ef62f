# tests/e2e/hostile_checkpoint.sh: a checkpoint folder that holds links,
# a user's own files, forged or foreign records. The engine must never
# delete, write or read outside the folder, never take a user's file for
# its own, never accept a committed file of another run, and keep the job's
# counters whatever a resume reuses.
source "$(dirname "$0")/lib.sh"
"$GEN_TEXT" 600000 5 20000 >a.txt
"$GEN_TEXT" 600000 6 20000 >b.txt
oracle a.txt >a.tsv
mr 0 import -o a.h5 a.txt 2>/dev/null
mr 0 import -o b.h5 b.txt 2>/dev/null
RUN=(run wordcount -i a.h5 -o out.h5 --split-size 100000 --reducers 4 -q)
LOUD=("${RUN[@]:0:${#RUN[@]}-1}") # without -q: what resume says it redoes

check_output() { # WHAT
  "$MAPREDUCE" export out.h5 >got.tsv || fail "$1: export failed"
  same_file got.tsv a.tsv "$1"
}
# A user's folder with a file the engine must never touch.
mkdir -p user
echo "my notes" >user/notes.txt
user_intact() { # WHAT
  [ "$(cat user/notes.txt 2>/dev/null)" = "my notes" ] || fail "$1: the user's notes.txt was deleted or changed"
  [ "$(ls user)" = "notes.txt" ] || fail "$1: files appeared in the user's folder: $(ls user)"
}
# kept_checkpoint DIR: a complete checkpoint of a.h5 in DIR (--keep-checkpoint).
kept_checkpoint() {
  rm -rf "$1" out.h5
  mr 3 "${RUN[@]}" --checkpoint-dir "$1" --keep-checkpoint || fail "run with --keep-checkpoint failed"
  rm -f out.h5
}

# --- Links anywhere in the checkpoint folder are refused, never followed. ---
for where in map reduce map/0 manifest; do
  kept_checkpoint ck
  [ "$where" = manifest ] && cp ck/manifest user/manifest.copy
  rm -rf "ck/$where"
  [ "$where" = manifest ] && ln -s ../user/manifest.copy ck/manifest
  [ "$where" = manifest ] || ln -s ../user "ck/$where"
  [ "$where" = map/0 ] && ln -sfn ../../user "ck/$where"
  expect_refusal "ck/$where is a link" "symbolic link" out.h5 mr 3 "${RUN[@]}" --checkpoint-dir ck --resume
  rm -f user/manifest.copy
  user_intact "ck/$where a link, --resume"
  expect_refusal "ck/$where is a link, --restart-fresh" "symbolic link" out.h5 \
    mr 3 "${RUN[@]}" --checkpoint-dir ck --restart-fresh
  user_intact "ck/$where a link, --restart-fresh"
done
# A link to a user's file, under a name the engine would make.
kept_checkpoint ck
f=$(find ck/map -name 't*' | head -1)
ln -s "$WORK/user/notes.txt" "$(dirname "$f")/t9999-0123456789ab-r1"
expect_refusal "a link among committed files" "symbolic link" out.h5 mr 3 "${RUN[@]}" --checkpoint-dir ck --resume
user_intact "a link among committed files"
echo "ok: links in the checkpoint folder refused; the user's folder untouched"

# --- A user's own files in the folder (named like ours, or not) survive. ---
rm -rf ck && mkdir -p ck/map/0
echo "mine" >ck/lock
echo "mine" >ck/notes.txt
mr 3 "${RUN[@]}" --checkpoint-dir ck 2>err.txt && fail "a folder holding map/ but no manifest was taken"
grep -q "no checkpoint manifest" err.txt || { cat err.txt >&2; fail "map/ without a manifest: wrong message"; }
rm -rf ck/map
mr 3 "${RUN[@]}" --checkpoint-dir ck || fail "run in a folder holding a user's files failed"
check_output "run in a folder with a user's files"
[ "$(cat ck/lock 2>/dev/null)" = mine ] || fail "the user's file 'lock' in the checkpoint folder was deleted"
[ "$(cat ck/notes.txt 2>/dev/null)" = mine ] || fail "the user's notes.txt in the checkpoint folder was deleted"
[ "$(ls ck)" = "$(printf 'lock\nnotes.txt')" ] || fail "the engine left its files: $(ls ck)"
# A user's file inside map/ of a kept checkpoint is neither deleted nor read.
kept_checkpoint ck2
echo "mine" >ck2/map/0/t0-mine.txt
echo "mine" >ck2/reduce/notes
mr 3 "${RUN[@]}" --checkpoint-dir ck2 --resume || fail "resume with a user's files in map/ failed"
check_output "resume with a user's files in map/"
[ "$(cat ck2/map/0/t0-mine.txt 2>/dev/null)" = mine ] || fail "a user's file in map/0 was deleted"
[ "$(cat ck2/reduce/notes 2>/dev/null)" = mine ] || fail "a user's file in reduce/ was deleted"
echo "ok: a user's files in the checkpoint folder survive (lock, notes.txt, map/0/t0-mine.txt)"

# --- Counters of the map phase survive a resume that reuses every partition. ---
awk 'BEGIN { for (i = 0; i < 60000; i++) print i % 7000 "," (i % 13 ? "v" i : "bad\"x") }' >c.csv
mr 0 import -o csv.h5 c.csv 2>/dev/null
CLEAN=(run clean -i csv.h5 -o c.h5 --param fields=2 --split-size 50k -q --checkpoint-dir ckc)
rm -rf ckc
mr 3 "${CLEAN[@]}" --keep-checkpoint --report full.json || fail "clean with a kept checkpoint failed"
rm c.h5
cp -r ckc ckp # for the partial resume below
mr 3 "${CLEAN[@]}" --resume --report resumed.json || fail "clean resumed from a complete checkpoint failed"
$PY - full.json resumed.json <<'EOF' || fail "counters differ after a resume that reused every partition"
import json, sys
full, resumed = (json.load(open(f)) for f in sys.argv[1:3])
assert resumed["checkpoint"]["partitions_reused"] == resumed["reducers"], resumed["checkpoint"]
print("  full:", full["counters"], " resumed:", resumed["counters"])
assert full["counters"] == resumed["counters"]
EOF
echo "ok: counters equal after a resume that reused every partition"
# ... and after one that reduces a partition again: clean counts duplicates
# in its combine, which must count each one once, wherever it ran.
grep -v '^reduce 0 ' ckp/manifest >manifest.less && mv manifest.less ckp/manifest
rm c.h5
mr 3 run clean -i csv.h5 -o c.h5 --param fields=2 --split-size 50k -q --checkpoint-dir ckp \
  --resume --report partial.json || fail "clean resumed with a partition to reduce again failed"
$PY - full.json partial.json <<'EOF' || fail "counters differ after a resume that reduced a partition again"
import json, sys
full, partial = (json.load(open(f)) for f in sys.argv[1:3])
assert partial["checkpoint"]["partitions_reused"] == partial["reducers"] - 1, partial["checkpoint"]
print("  full:", full["counters"], " partial:", partial["counters"])
assert full["counters"] == partial["counters"]
EOF
echo "ok: counters equal after a resume that reduced a partition again"

# --- A committed file and its record copied from another input's checkpoint. ---
kept_checkpoint ck3
rm -rf ckb
mr 3 run wordcount -i b.h5 -o outb.h5 --split-size 100000 --reducers 4 -q \
  --checkpoint-dir ckb --keep-checkpoint || fail "run on b.h5 failed"
# ck3 keeps its header and map records but for task 0, which is b's.
{
  grep -v '^\(map\|reduce\) ' ck3/manifest
  grep '^map ' ck3/manifest | grep -v '^map 0 '
  grep '^map 0 ' ckb/manifest
} >manifest.forged
mv manifest.forged ck3/manifest
bfile=$(grep '^map 0 ' ckb/manifest | cut -d' ' -f3)
cp "ckb/$bfile" "ck3/$bfile"
rm -rf ck3/reduce/*
mr 3 "${LOUD[@]}" --checkpoint-dir ck3 --resume 2>forged.txt || { cat forged.txt >&2; fail "resume with a foreign file failed"; }
check_output "resume with a map file of another input's checkpoint"
grep -q "mapping it again" forged.txt || { cat forged.txt >&2; fail "the foreign file was not named as refused"; }
echo "ok: a map file from another input's checkpoint is refused and redone: $(grep -m1 'task 0' forged.txt)"

# --- A duplicated reduce record (twice the same line) is no failure. ---
kept_checkpoint ck4
line=$(grep -m1 '^reduce ' ck4/manifest)
echo "$line" >>ck4/manifest
mr 3 "${RUN[@]}" --checkpoint-dir ck4 --resume 2>dup.txt || { cat dup.txt >&2; fail "resume with a duplicated reduce record failed"; }
check_output "resume with a duplicated reduce record"
echo "ok: a duplicated reduce record"

# --- Forged records (sealed anew): partition 0's record names partition 1's
# file; then a copy of partition 1's file under a name of partition 0. ---
seal() { # MANIFEST TEXT: appends TEXT as a well-sealed record
  $PY - "$1" "$2" <<'EOF2'
import sys, xxhash
path, text = sys.argv[1:3]
with open(path, "a") as f:
    f.write(f"{text} ~{xxhash.xxh3_64_hexdigest(text.encode())}\n")
EOF2
}
kept_checkpoint ck5
read -r _ _ p1file p1bytes p1hash p1counters _ < <(grep -m1 '^reduce 1 ' ck5/manifest)
seal ck5/manifest "reduce 0 $p1file $p1bytes $p1hash $p1counters"
mr 3 "${LOUD[@]}" --checkpoint-dir ck5 --resume 2>forged2.txt || { cat forged2.txt >&2; fail "resume with a forged reduce record failed"; }
check_output "resume with a record naming another partition's file"
grep -q "1 damaged manifest record(s) ignored" forged2.txt || { cat forged2.txt >&2; fail "the forged record was not refused"; }
kept_checkpoint ck5
read -r _ _ p1file p1bytes p1hash p1counters _ < <(grep -m1 '^reduce 1 ' ck5/manifest)
cp "ck5/$p1file" ck5/reduce/p0-aaaaaaaaaaaa-r9
seal ck5/manifest "reduce 0 reduce/p0-aaaaaaaaaaaa-r9 $p1bytes $p1hash $p1counters"
mr 3 "${LOUD[@]}" --checkpoint-dir ck5 --resume 2>forged3.txt || { cat forged3.txt >&2; fail "resume with a forged partition file failed"; }
check_output "resume with partition 1's file as partition 0's"
grep -q "partition 0: .*another partition.*reducing it again" forged3.txt || { cat forged3.txt >&2; fail "the forged partition file was not named"; }
echo "ok: forged reduce records refused, their partitions reduced again: $(grep -m1 'partition 0' forged3.txt)"
