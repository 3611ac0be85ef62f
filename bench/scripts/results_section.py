# bench/scripts/results_section.py: writes one benchmark's section into RESULTS.md,
# between <!-- NAME:begin --> and <!-- NAME:end --> (appended if missing).
import os
import re


def replace_section(results, name, text):
    """`text` must start with <!-- NAME:begin --> and end with <!-- NAME:end -->."""
    old = open(results).read() if os.path.exists(results) else "# Benchmark results\n"
    pattern = r"<!-- %s:begin -->.*<!-- %s:end -->" % (name, name)
    if re.search(pattern, old, flags=re.S):
        old = re.sub(pattern, lambda m: text, old, flags=re.S)
    else:
        old = old.rstrip("\n") + "\n\n" + text + "\n"
    open(results, "w").write(old)
    print(text)
