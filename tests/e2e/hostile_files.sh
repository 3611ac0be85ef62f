# tests/e2e/hostile_files.sh: crafted HDF5 inputs and outputs, and files
# that are not files. A job reads only the files it is given: no dataset
# whose bytes are in another file (external storage, external link, virtual
# dataset), no size a file cannot hold, no type or version we did not write,
# no rows out of order, no FIFO that blocks open. Each is refused with one
# message naming the file and the dataset, exit 1, nothing printed.
source "$(dirname "$0")/lib.sh"
printf 'alpha beta\ngamma alpha\n' >text.txt
mr 0 import -o in.h5 text.txt 2>/dev/null
mr 2 run wordcount -i in.h5 -o out.h5 -q
printf 'SECRET-WORD another-secret\n' >secret.txt # what a crafted file points at

# craft KIND DEST: a copy of in.h5 (input kinds) or out.h5 (output kinds)
# with one thing changed, as an attacker would make it with h5py.
craft() {
  "$PY" - "$1" "$2" "$WORK/secret.txt" <<'PY'
import sys, shutil, h5py, numpy as np
kind, dest, secret = sys.argv[1:4]
src = "out.h5" if kind.startswith("out-") else "in.h5"
shutil.copy(src, dest)
n = len(open(secret, "rb").read())
with h5py.File(dest, "r+") as f:
    def replace(name, **kw):
        attrs = dict(f[name].attrs) if name in f else {}
        del f[name]
        f.create_dataset(name, **kw)
    if kind == "external-storage":      # /data's bytes in another file
        del f["data"], f["checksums"]
        f.create_dataset("data", shape=(n,), dtype="u1", external=[(secret, 0, n)])
        f["files/offsets"][-1] = n
    elif kind == "external-link":       # /data is a link into another file
        with h5py.File("other.h5", "w") as o:
            o.create_dataset("data", data=np.frombuffer(open(secret, "rb").read(), "u1"))
        del f["data"], f["checksums"]
        f["data"] = h5py.ExternalLink("other.h5", "/data")
        f["files/offsets"][-1] = n
    elif kind == "virtual":             # /data maps another file's dataset
        with h5py.File("other.h5", "w") as o:
            o.create_dataset("data", data=np.frombuffer(open(secret, "rb").read(), "u1"))
        layout = h5py.VirtualLayout(shape=(n,), dtype="u1")
        layout[:] = h5py.VirtualSource("other.h5", "data", shape=(n,))
        del f["data"], f["checksums"]
        f.create_virtual_dataset("data", layout)
        f["files/offsets"][-1] = n
    elif kind == "soft-link":
        f.create_dataset("elsewhere", data=f["data"][:])
        del f["data"]
        f["data"] = h5py.SoftLink("/elsewhere")
    elif kind == "huge-data":           # claims 64 GiB, stores 2 chunks at most
        f["data"].resize((64 << 30,))
        f["files/offsets"][-1] = 64 << 30
    elif kind == "signed-data":         # int8: 0xE9 would become 0x7F
        d = f["data"][:]
        del f["data"], f["checksums"]
        f.create_dataset("data", data=d.astype("i1"))
    elif kind == "compressed":
        d = f["data"][:]
        del f["data"]
        f.create_dataset("data", data=d, compression="gzip", chunks=True)
    elif kind == "version-99":
        f.attrs["mapreduce_input_version"] = np.uint64(99)
    elif kind == "out-version-99":
        f.attrs["mapreduce_output_version"] = np.uint64(99)
    elif kind == "out-external-keys":   # export would print the other file
        del f["keys"]
        f.create_dataset("keys", shape=(n,), dtype="u1", external=[(secret, 0, n)])
    elif kind == "out-huge-key":        # one key of 64 GiB
        k = f["keys"][:]
        del f["keys"]
        f.create_dataset("keys", data=k, chunks=(4096,), maxshape=(None,))
        f["keys"].resize((64 << 30,))
        ko = f["key_offsets"][:]
        ko[1:] = 64 << 30
        ko[1:] += np.arange(len(ko) - 1, dtype="u8") * 0
        f["key_offsets"][:] = ko
    elif kind == "out-many-partitions": # 262,144 partitions
        rows = len(f["key_offsets"]) - 1
        po = np.full(262145, rows, dtype="u8"); po[0] = 0
        del f["partition_offsets"], f["partition_checksums"]
        f.create_dataset("partition_offsets", data=po)
        f.create_dataset("partition_checksums", data=np.zeros(262144, dtype="u8"))
    else:
        sys.exit("unknown kind " + kind)
PY
}

for kind in external-storage external-link virtual soft-link huge-data signed-data compressed version-99; do
  craft "$kind" "bad-$kind.h5"
  phrase=refused
  [ "$kind" = version-99 ] && phrase="of version 99"
  for n in 1 3; do
    expect_error "input with $kind, run at $n ranks" "$phrase" out2.h5 \
      mr "$n" run wordcount -i "bad-$kind.h5" -o out2.h5
  done
  expect_error "input with $kind, verify" "$phrase" "" mr 0 verify "bad-$kind.h5"
  grep -q SECRET stdout.txt stderr.txt && fail "$kind: the other file's contents were printed"
done
for kind in out-version-99 out-external-keys out-huge-key out-many-partitions; do
  craft "$kind" "bad-$kind.h5"
  phrase=refused
  [ "$kind" = out-version-99 ] && phrase="of version 99"
  [ "$kind" = out-huge-key ] && phrase="claims"
  [ "$kind" = out-many-partitions ] && phrase="more than a run ever writes"
  expect_error "output with $kind, export" "$phrase" "" mr 0 export "bad-$kind.h5"
  [ -s stdout.txt ] && fail "$kind: export printed rows"
  grep -q SECRET stdout.txt stderr.txt && fail "$kind: the other file's contents were printed"
  expect_error "output with $kind, verify" "$phrase" "" mr 0 verify "bad-$kind.h5"
done
echo "ok: crafted inputs and outputs refused, nothing of another file printed"

# Rows out of order (their checksums made anew): verify and export refuse.
"$PY" - <<'PY'
import shutil, h5py, numpy as np, xxhash, struct
shutil.copy("out.h5", "unsorted.h5")
with h5py.File("unsorted.h5", "r+") as f:
    keys, ko = f["keys"][:].tobytes(), f["key_offsets"][:]
    rows = [keys[ko[i]:ko[i + 1]] for i in range(len(ko) - 1)]
    po = [int(x) for x in f["partition_offsets"][:]]
    # Swap the first two rows of the first partition with two or more rows.
    p = next(p for p in range(len(po) - 1) if po[p + 1] - po[p] >= 2)
    a = po[p]
    rows[a], rows[a + 1] = rows[a + 1], rows[a]
    vals = f["values"][:]
    vals[a], vals[a + 1] = vals[a + 1], vals[a]
    f["values"][:] = vals
    f["keys"][:] = np.frombuffer(b"".join(rows), "u1")
    f["key_offsets"][:] = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype("u8")
    # Partition checksum as the engine defines it (docs/file-formats.md, "Output").
    def part(p):
        b, e = po[p], po[p + 1]
        kk = b"".join(rows[b:e])
        koff = np.concatenate([[0], np.cumsum([len(r) for r in rows[b:e]])]).astype("<u8").tobytes()
        vv = b"".join(struct.pack("<Q", int(v)) for v in vals[b:e])
        voff = np.arange(0, 8 * (e - b) + 1, 8, dtype="<u8").tobytes()
        h = [xxhash.xxh3_64_intdigest(x) for x in (kk, koff, vv, voff)]
        return xxhash.xxh3_64_intdigest(struct.pack("<4Q", *h))
    cs = f["partition_checksums"][:]
    cs[p] = part(p)
    f["partition_checksums"][:] = cs
PY
expect_error "rows out of order, verify" "out of order" "" mr 0 verify unsorted.h5
expect_error "rows out of order, export" "out of order" "" mr 0 export unsorted.h5
[ -s stdout.txt ] && fail "export printed rows of an unsorted output"
echo "ok: an output whose rows are out of order is refused by verify and export"

# FIFOs: refused before they are opened for reading (which would block).
mkfifo fifo.h5
for cmd in "run wordcount -i fifo.h5 -o out3.h5" "export fifo.h5" "verify fifo.h5" \
  "validate-sort fifo.h5 --input in.h5" "validate-sort out.h5 --input fifo.h5"; do
  read -r -a args <<<"$cmd"
  n=0
  [ "${args[0]}" = run ] && n=3
  expect_error "a FIFO: $cmd" "not a regular file" out3.h5 mr "$n" "${args[@]}"
done
echo "ok: FIFOs refused by run, export, verify and validate-sort"
