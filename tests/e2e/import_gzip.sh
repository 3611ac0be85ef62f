# tests/e2e/import_gzip.sh: gzip files at import. Without --gunzip one is
# refused (known by its first bytes, whatever its name): its compressed bytes
# would otherwise be counted as words without a word said. With --gunzip they
# are decompressed (several members too, mixed with plain files) and the
# counts equal the oracle's on the plain text; a gzip file cut short or
# damaged is refused, and no input file is left.
source "$(dirname "$0")/lib.sh"
"$GEN_TEXT" 300000 11 20000 >a.txt
"$GEN_TEXT" 200000 12 20000 >b.txt
gzip -k a.txt
gzip -c b.txt >b.gz
cat a.txt.gz b.gz >ab.gz # two gzip members, one file
cp a.txt.gz renamed.dat  # gzip without the name

expect_error "a .gz file without --gunzip" "is gzip-compressed: pass --gunzip" in.h5 \
  mr 0 import -o in.h5 b.txt a.txt.gz
expect_error "gzip under another name" "'renamed.dat' is gzip-compressed" in.h5 \
  mr 0 import -o in.h5 renamed.dat

mr 0 import --gunzip -o in.h5 a.txt.gz b.txt ab.gz 2>import.txt || { cat import.txt >&2; fail "import --gunzip failed"; }
grep -q "(2 gzip file(s) decompressed)" import.txt || { cat import.txt >&2; fail "import does not say it decompressed 2 files"; }
oracle a.txt b.txt a.txt b.txt >expected.tsv
mr 2 run wordcount -i in.h5 -o out.h5 -q || fail "word count of the decompressed input failed"
mr 0 export out.h5 >got.tsv
same_file got.tsv expected.tsv "word count of gzip files imported with --gunzip"
echo "ok: --gunzip: two gzip files (one of two members) and a plain one count as the oracle"

size=$(stat -c %s a.txt.gz)
head -c $((size / 2)) a.txt.gz >cut.gz
expect_error "gzip cut short" "'cut.gz' is gzip cut short" in2.h5 \
  mr 0 import --gunzip -o in2.h5 cut.gz
cp a.txt.gz bad.gz
printf 'garbage!' | dd of=bad.gz bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
expect_error "damaged gzip" "'bad.gz' is not valid gzip" in2.h5 \
  mr 0 import --gunzip -o in2.h5 bad.gz
