# tests/e2e/html_report.sh: `mapreduce report run.json -o run.html` writes one
# self-contained page (nothing fetched: no src or href off the page, no
# stylesheet link); a real browser (headless Chromium, when installed: see
# scripts/install-browser.sh) draws one bar per map task, per reduce
# partition and per shuffle round of each worker, a mark per spill, and a
# screenshot that is not blank. Refused: a missing report, one that is not JSON, JSON that is
# not a run's report, an existing page without --overwrite. A report whose
# strings hold "</script>" stays data (never markup).
source "$(dirname "$0")/lib.sh"
"$GEN_TEXT" 600000 51 5000 >a.txt
mr 0 import -o in.h5 a.txt 2>/dev/null
mr 3 run wordcount -i in.h5 -o out.h5 -q --split-size 64k --reducers 5 --no-backup-tasks \
  --report run.json
mr 0 report run.json -o run.html 2>/dev/null || fail "report failed"
[ -s run.html ] || fail "no page written"
! grep -qE '(src|href)="?(https?:)?//|<link|@import|url\(' run.html || fail "the page refers to something off the page"
grep -q '"job":"wordcount"' run.html || fail "the report's data is not in the page"
echo "ok: one self-contained page of $(wc -c <run.html) bytes"

# What the browser should draw, from the JSON (python's own parser).
read -r tasks reducers rounds < <(/usr/bin/python3 - run.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ev = [e for t in r["timeline"] for e in t["events"]]
print(r["tasks"], r["reducers"], sum(e["kind"] == "round" for e in ev))
PY
)
[ "$tasks" -ge 8 ] || fail "expected 8 map tasks or more, got $tasks"

expect_error "a missing report" "does not exist" x.html mr 0 report missing.json -o x.html
echo 'not json {' >bad.json
expect_error "a report that is not JSON" "is not JSON" x.html mr 0 report bad.json -o x.html
echo '{"rows": 3}' >other.json
expect_error "JSON that is no run's report" "is not the report of a run" x.html \
  mr 0 report other.json -o x.html
cp run.html before.html
expect_error "an existing page" "exists" "" mr 0 report run.json -o run.html
cmp -s run.html before.html || fail "a refused report changed the existing page"
mr 0 report run.json -o run.html --overwrite 2>/dev/null || fail "--overwrite refused"
# A job name (or any string) holding markup is written as data.
/usr/bin/python3 - <<'PY'
import json
r = json.load(open("run.json"))
r["job"] = "x</script><script>document.title='owned'</script><b>bold</b>"
json.dump(r, open("hostile.json", "w"))
PY
mr 0 report hostile.json -o hostile.html 2>/dev/null || fail "report of a hostile name failed"
! grep -q "</script><script>document.title" hostile.html || fail "markup from the data reached the page"
echo "ok: refusals (missing, not JSON, not a report, existing page), and markup in the data stays text"

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "skip: no Chromium here (scripts/install-browser.sh installs it): the page was not drawn"
  exit 0
fi
draw() { # PAGE: the DOM after the page's script ran
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$WORK/chromium" \
    --virtual-time-budget=5000 --dump-dom "file://$WORK/$1" 2>/dev/null
}
draw run.html >dom.html
grep -q 'data-ready="1"' dom.html || { head -c 2000 dom.html; fail "the page's script did not finish"; }
count() { grep -o "data-kind=\"$1\"" dom.html | wc -l; }
[ "$(count map)" = "$tasks" ] || fail "$(count map) map bars for $tasks tasks"
[ "$(count reduce)" = "$reducers" ] || fail "$(count reduce) reduce bars for $reducers partitions"
[ "$(count round)" = "$rounds" ] || fail "$(count round) round bars for $rounds rounds"
[ "$(grep -o 'class="partition"' dom.html | wc -l)" = "$reducers" ] || fail "not one partition bar each"
echo "ok: Chromium drew $tasks map bars, $reducers reduce bars, $rounds shuffle rounds, $reducers partition sizes"
draw hostile.html >dom.html
grep -q 'data-ready="1"' dom.html || fail "the hostile page's script did not finish"
grep -q '<title>mapreduce run report</title>' dom.html || fail "the hostile name changed the page's title"
! grep -q '<b>bold</b>' dom.html || fail "markup in the job name became markup"
echo "ok: a job name holding markup is drawn as text"
# Spills are marked: a run 8x over its memory limit spills map output and
# what it received; one mark per worker and phase that spilled.
"$GEN_TEXT" 36000000 52 20000 >big.txt
mr 0 import -o big.h5 big.txt 2>/dev/null
mr 3 run wordcount -i big.h5 -o big_out.h5 -q --memory-limit 4MiB --report spill.json
mr 0 report spill.json -o spill.html 2>/dev/null || fail "report of a spilling run failed"
marks=$(/usr/bin/python3 - spill.json <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))["per_worker"]
print(sum(v > 0 for f in ("map_spilled_bytes", "received_spilled_bytes", "rows_spilled_bytes")
          for v in w[f]["values"]))
PY
)
[ "$marks" -ge 2 ] || fail "the run did not spill ($marks)"
draw spill.html >dom.html
[ "$(grep -o 'class="spill"' dom.html | wc -l)" = "$marks" ] ||
  fail "$(grep -o 'class="spill"' dom.html | wc -l) spill marks for $marks spills"
echo "ok: $marks spill marks, one per worker and phase that spilled"
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$WORK/chromium" \
  --window-size=1300,1400 --screenshot="$WORK/shot.png" "file://$WORK/run.html" >/dev/null 2>&1 ||
  fail "no screenshot"
colors=$(/usr/bin/python3 - shot.png <<'PY'
import struct, sys, zlib
# A PNG's distinct colours (8-bit RGB or RGBA, not interlaced: what Chromium writes).
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
at, idat = 8, b""
while at < len(data):
    n, kind = struct.unpack(">I4s", data[at:at + 8])
    body = data[at + 8:at + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    at += 12 + n
assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, seen, i = bytearray(stride), set(), 0
for _ in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    seen.update(bytes(line[x:x + 3]) for x in range(0, stride, bpp * 7))
    prev = line
print(len(seen))
PY
)
[ "$colors" -gt 20 ] || fail "the screenshot is blank ($colors colours)"
echo "ok: a screenshot of $colors colours (a blank page has 1)"
