# tests/e2e/import_tree.sh: a tree of 20,000 small files (nested folders,
# names with spaces and non-ASCII bytes, empty files, files without a final
# newline, a symbolic link and a fifo) imported three ways: as a folder, with
# --files-from (a file and standard input), and on the command line (far more
# than Open MPI's 128 KiB of arguments: import must not start MPI). Each
# gives the same file table and word counts equal to the coreutils oracle.
source "$(dirname "$0")/lib.sh"
"$PY" - <<'PY'
import os, random
rng = random.Random(5)
words = [b"alpha", b"beta", b"gamma", b"d\xc3\xa9lta", b"\xff\xfe", b"x" * 30] + \
        [b"w%d" % i for i in range(300)]
dirs = [b"plain", b"with space", b"caf\xc3\xa9", b"\xff odd", b"a-b", b"a"]
paths = []
for i in range(20000):
    d = os.path.join(b"tree", dirs[i % 6], b"sub %d" % (i % 37), b"n%d" % (i % 3))
    os.makedirs(d, exist_ok=True)
    name = os.path.join(d, b"f %d%s.txt" % (i, b"\xc3\xa9" if i % 5 == 0 else b""))
    kind = i % 10
    if kind == 0:
        data = b""
    else:
        lines = [b" ".join(rng.choice(words) for _ in range(rng.randint(0, 8)))
                 for _ in range(rng.randint(1, 4))]
        data = b"\n".join(lines) + (b"" if kind == 1 else b"\n")
    open(name, "wb").write(data)
    paths.append(name)
paths.sort()  # byte order, as import walks a folder
open("list.txt", "wb").write(b"".join(p + b"\n" for p in paths))
PY
ln -s ../plain tree/a/link-to-plain # a link inside a folder: skipped
mkfifo tree/a/fifo                   # a special file: skipped
mapfile -t files <list.txt
[ "${#files[@]}" -eq 20000 ] || fail "generated ${#files[@]} files"
args_bytes=$(printf '%s\n' "${files[@]}" | wc -c)

mr 0 import -o folder.h5 tree 2>stderr.txt || { cat stderr.txt; fail "import of a folder"; }
grep -q "imported 20000 file(s)" stderr.txt || fail "folder import: $(cat stderr.txt)"
grep -q "skipped inside folders: 1 symbolic link(s), 1 special file(s)" stderr.txt ||
  fail "folder import did not report what it skipped: $(cat stderr.txt)"
mr 0 import -o list.h5 --files-from list.txt
mr 0 import -o stdin.h5 --files-from - <list.txt
mr 0 import -o args.h5 "${files[@]}" || fail "import of $args_bytes bytes of arguments"
echo "ok: imported 20000 files four ways ($args_bytes bytes of paths on one command line)"

# The same file table everywhere: the paths as given, in byte order.
"$PY" - folder.h5 list.h5 stdin.h5 args.h5 <<'PY' || fail "file tables differ"
import sys, h5py
want = open("list.txt", "rb").read().split(b"\n")[:-1]
for path in sys.argv[1:]:
    f = h5py.File(path, "r")
    nb, no = f["files/name_bytes"][:].tobytes(), f["files/name_offsets"][:]
    names = [nb[no[i]:no[i + 1]] for i in range(len(no) - 1)]
    assert names == want, (path, names[:3], want[:3])
    assert int(f.attrs["mapreduce_input_version"]) == 3 and f.attrs["format"] == b"lines"
    assert f.attrs["checksum"] == b"xxh3-64" and int(f.attrs["checksum_chunk_bytes"]) == 1 << 20
    assert f["checksums"].shape == ((int(f.attrs["bytes"]) + (1 << 20) - 1) >> 20,)
    assert f["files/offsets"].shape == (20001,)
print("ok: the four file tables hold the 20000 paths in byte order")
PY
for h in list stdin args; do
  cmp -s <(h5dump -d /data folder.h5 | tail -n +3) <(h5dump -d /data $h.h5 | tail -n +3) ||
    fail "/data of $h.h5 differs from the folder import"
done

xargs -d '\n' -a list.txt awk 1 | tr -s ' \t\n\v\f\r' '\n' | grep -av '^$' |
  LC_ALL=C sort | LC_ALL=C uniq -c | LC_ALL=C awk '{print $2 "\t" $1}' >expected.tsv
mr 2 run wordcount -i folder.h5 -o out.h5 -q
mr 0 export out.h5 >got.tsv
same_file got.tsv expected.tsv "word count of the 20000-file tree"
echo "ok: word count of the tree matches the oracle ($(wc -l <got.tsv) words)"
