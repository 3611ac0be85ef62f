#!/usr/bin/env python3
"""tests/e2e/fuzz_files.py: corrupts copies of a good file and runs a command
on each: the command must either give exactly the good result or refuse with
a clear message (exit 1, "mapreduce: error"); never crash, hang, or give a
different result under exit 0.

  fuzz_files.py SEED COUNT GOOD.h5 -- COMMAND... {}
({} is replaced by the corrupted copy's path.) Prints a tally; exit 1 on any
failure. Kinds of damage: truncation, 8 bit flips in metadata, 8 bit flips
in data (inside a dataset's storage, found with h5py), a zeroed 4 KiB block,
two 4 KiB blocks swapped.
"""
import os
import random
import subprocess
import sys

import h5py


def data_ranges(path):
    """(offset, size) of every dataset's stored bytes."""
    out = []
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset):
                return
            dcpl = obj.id.get_create_plist()
            if dcpl.get_layout() == h5py.h5d.CHUNKED:
                for i in range(obj.id.get_num_chunks()):
                    info = obj.id.get_chunk_info(i)
                    out.append((info.byte_offset, info.size))
            else:
                off = obj.id.get_offset()
                if off is not None:
                    out.append((off, obj.id.get_storage_size()))
        f.visititems(visit)
    return [r for r in out if r[1] > 0]


def main():
    seed, count, good_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    rng = random.Random(seed)
    good = open(good_path, "rb").read()
    data = data_ranges(good_path)
    in_data = lambda p: any(o <= p < o + n for o, n in data)
    data_positions = [o + rng.randrange(n) for o, n in data for _ in range(4)]
    work = os.environ.get("FUZZ_DIR", ".")
    bad = os.path.join(work, "fuzzed.h5")

    def run(path):
        args = [a.replace("{}", path) for a in cmd]
        return subprocess.run(args, capture_output=True, timeout=60)

    expected = run(good_path)
    if expected.returncode != 0:
        sys.exit("the good file fails: %s" % expected.stderr.decode(errors="replace"))
    kinds = ["truncate", "flip-metadata", "flip-data", "zero-4k", "swap-4k"]
    tally, failures = {}, 0
    for i in range(count):
        kind = kinds[i % len(kinds)]
        b = bytearray(good)
        if kind == "truncate":
            b = b[:rng.randrange(len(b))]
        elif kind == "flip-metadata":
            for _ in range(8):
                while True:
                    p = rng.randrange(len(b))
                    if not in_data(p):
                        break
                b[p] ^= 1 << rng.randrange(8)
        elif kind == "flip-data":
            for _ in range(8):
                p = rng.choice(data_positions) if data_positions else rng.randrange(len(b))
                b[p] ^= 1 << rng.randrange(8)
        elif kind == "zero-4k":
            p = rng.randrange(0, len(b), 4096)
            b[p:p + 4096] = bytes(len(b[p:p + 4096]))
        else:  # two blocks swapped (smaller blocks in a small file)
            size = 4096 if len(b) >= 4 * 4096 else max(64, len(b) // 4)
            blocks = max(1, len(b) // size)
            x = rng.randrange(blocks) * size
            y = (x + size * (1 + rng.randrange(max(1, blocks - 1)))) % (blocks * size)
            bx, by = bytes(b[x:x + size]), bytes(b[y:y + size])
            if len(bx) == len(by):
                b[x:x + size], b[y:y + size] = by, bx
        if bytes(b) == good:
            verdict = "unchanged"
        else:
            open(bad, "wb").write(b)
            try:
                r = run(bad)
                err = r.stderr.decode(errors="replace")
                if r.returncode == 0:
                    verdict = "same result" if r.stdout == expected.stdout else "WRONG RESULT"
                elif r.returncode < 0 or r.returncode >= 128 or "Sanitizer" in err:
                    verdict = "CRASH"
                elif "mapreduce: error" in err:
                    verdict = "refused"
                else:
                    verdict = "UNCLEAR MESSAGE"
            except subprocess.TimeoutExpired:
                verdict = "HANG"
                err = ""
            if verdict.isupper() or verdict.split()[0].isupper():
                failures += 1
                keep = os.path.join(work, "failure-%d.h5" % i)
                open(keep, "wb").write(b)
                print("FAIL case %d (%s): %s; kept as %s\n%s" % (i, kind, verdict, keep, err[-600:]))
        tally[(kind, verdict)] = tally.get((kind, verdict), 0) + 1
    for (kind, verdict), n in sorted(tally.items()):
        print("  %-14s %-12s %d" % (kind, verdict, n))
    sys.exit(1 if failures else 0)


main()
