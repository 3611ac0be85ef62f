#!/usr/bin/env bash
# bench/scripts/join_vs_sqlite.sh [MB] [REPS]: the join job against sqlite3
# (Debian's, one process) and a Python dictionary join, on two generated
# CSVs of about MB megabytes each (default 500): customers `id,name,city,
# since` (ids unique) and orders `order,customer,amount,day` (customer ids
# uniform), joined on customers.id = orders.customer (inner): one row an
# order. What is counted, medians of REPS (default 3):
#   ours:    `mpirun -n 3 mapreduce run join` (map, shuffle, reduce, HDF5
#            output written and committed); import into HDF5 timed apart
#   sqlite3: the SELECT ... JOIN writing every row as CSV to /dev/null
#            (.import into a fresh database timed apart; no index: sqlite
#            builds an automatic one for the join)
#   python:  reading both files and the dictionary join, rows to /dev/null
# Row counts are checked equal.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
mb=${1:-500}
reps=${2:-3}
mr=$root/build/mapreduce
dir=${BENCH_DIR:-/tmp/mr-bench}/join
mkdir -p "$dir"
cd "$dir"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # bench only
if [ ! -s "customers-$mb.csv" ]; then
  # ~32 bytes a customer, ~32 an order.
  LC_ALL=C awk -v n=$((mb * 1000000 / 32)) 'BEGIN { srand(1)
    split("Rome Paris Kyiv Oslo Lima Pune Kobe Graz", c, " ")
    for (i = 0; i < n; i++) printf "%d,name%d,%s,%d\n", i, i % 9973, c[i % 8 + 1], 1990 + i % 35 }' \
    >"customers-$mb.csv"
  customers=$(wc -l <"customers-$mb.csv")
  LC_ALL=C awk -v n=$((mb * 1000000 / 32)) -v k="$customers" 'BEGIN { srand(2)
    for (i = 0; i < n; i++) printf "%d,%d,%.2f,%d\n", i, int(rand() * k), rand() * 1000, i % 365 }' \
    >"orders-$mb.csv"
fi
ls -l "customers-$mb.csv" "orders-$mb.csv" | awk '{ printf "%s %d MB\n", $9, $5 / 1e6 }'
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
: >times.tsv
t=$(now)
"$mr" import -o customers.h5 --overwrite "customers-$mb.csv" >/dev/null 2>&1
"$mr" import -o orders.h5 --overwrite "orders-$mb.csv" >/dev/null 2>&1
echo -e "ours_import\t$(since "$t")" >>times.tsv
for rep in $(seq 1 "$reps"); do
  t=$(now)
  mpirun --oversubscribe -n 3 "$mr" run join -i customers.h5 -i orders.h5 -o joined.h5 \
    --overwrite -q --param left-fields=4 --param right-fields=4 --param right-key=2
  echo -e "ours_join\t$(since "$t")" >>times.tsv
  rows_ours=$(/usr/bin/python3 -c 'import h5py, sys; print(int(h5py.File(sys.argv[1]).attrs["records"]))' joined.h5)

  rm -f db.sqlite
  t=$(now)
  sqlite3 db.sqlite <<SQL
.mode csv
CREATE TABLE customers(id INTEGER, name TEXT, city TEXT, since INTEGER);
CREATE TABLE orders(id INTEGER, customer INTEGER, amount REAL, day INTEGER);
.import customers-$mb.csv customers
.import orders-$mb.csv orders
SQL
  echo -e "sqlite_import\t$(since "$t")" >>times.tsv
  t=$(now)
  rows_sqlite=$(sqlite3 db.sqlite <<'SQL' | wc -l
.mode csv
SELECT c.id, c.name, c.city, c.since, o.id, o.amount, o.day
  FROM customers c JOIN orders o ON o.customer = c.id;
SQL
)
  echo -e "sqlite_join\t$(since "$t")" >>times.tsv

  t=$(now)
  rows_python=$(/usr/bin/python3 - "customers-$mb.csv" "orders-$mb.csv" <<'PY'
import sys
left = {}
with open(sys.argv[1], "rb") as f:
    for line in f:
        k, rest = line.rstrip(b"\n").split(b",", 1)
        left.setdefault(k, []).append(rest)
n = 0
with open(sys.argv[2], "rb") as f, open("/dev/null", "wb") as out:
    for line in f:
        o = line.rstrip(b"\n").split(b",")
        for l in left.get(o[1], ()):
            out.write(b",".join([o[1], l, o[0], o[2], o[3]]) + b"\n")
            n += 1
print(n)
PY
)
  echo -e "python_join\t$(since "$t")" >>times.tsv
  [ "$rows_ours" = "$rows_sqlite" ] && [ "$rows_ours" = "$rows_python" ] ||
    { echo "row counts differ: ours $rows_ours, sqlite $rows_sqlite, python $rows_python" >&2; exit 1; }
done
BENCH_SCRIPTS=$root/bench/scripts /usr/bin/python3 - times.tsv "$rows_ours" <<'PY'
import os, sys
sys.path.insert(0, os.environ["BENCH_SCRIPTS"])
from timings import medians
t, m = medians(sys.argv[1])
print("rows %s; medians of %d:" % (sys.argv[2], len(t["ours_join"])))
for k in ("ours_import", "ours_join", "sqlite_import", "sqlite_join", "python_join"):
    print("  %-14s %8.2f s" % (k, m[k]))
print("sqlite join / ours: %.2fx; with imports: %.2fx; python / ours: %.2fx" % (
    m["sqlite_join"] / m["ours_join"],
    (m["sqlite_join"] + m["sqlite_import"]) / (m["ours_join"] + m["ours_import"]),
    m["python_join"] / m["ours_join"]))
PY
