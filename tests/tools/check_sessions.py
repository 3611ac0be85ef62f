#!/usr/bin/env python3
"""tests/tools/check_sessions.py CTEST BUILD_DIR: every test that starts MPI
has an Open MPI session folder of its own.

Two MPI programs started at the same moment on one machine (two tests under
`ctest -j`, or two suites) create Open MPI's session folder
/tmp/ompi.<host>.<uid> at once, and one of them fails in MPI_Init with
"mkdir ... File exists". A test is safe when its environment names its own
OMPI_MCA_orte_tmpdir_base, or when it is a script that sources
tests/e2e/lib.sh (which gives each mpirun a folder of its own). Tests that
start no MPI program (a compiler, a linter) are exempt.
"""
import json
import os
import subprocess
import sys

ctest, build = sys.argv[1], sys.argv[2]
listing = json.loads(
    subprocess.run([ctest, "--show-only=json-v1"], cwd=build, check=True,
                   capture_output=True, text=True).stdout)

EXEMPT_PREFIXES = ("compile_fail.", "lint.")


def environment(test):
    for prop in test.get("properties", []):
        if prop["name"] == "ENVIRONMENT":
            return prop["value"]
    return []


def script_of(command):
    return next((a for a in command if a.endswith(".sh")), None)


def sources_lib(script, seen=()):
    """The script, or one it sources, sources lib.sh or sets the folder."""
    text = open(script, encoding="utf-8").read()
    if "orte_tmpdir_base" in text or "/lib.sh" in text:
        return True
    here = os.path.dirname(script)
    for line in text.splitlines():
        words = line.split()
        if words[:1] in (["source"], ["."]) and len(words) > 1:
            name = os.path.join(here, os.path.basename(words[1].strip('"')))
            if os.path.exists(name) and name not in seen:
                if sources_lib(name, seen + (name,)):
                    return True
    return False


bad = []
checked = 0
for test in listing["tests"]:
    name = test["name"]
    if name.startswith(EXEMPT_PREFIXES) or "command" not in test:
        continue
    checked += 1
    if any(v.startswith("OMPI_MCA_orte_tmpdir_base=") for v in environment(test)):
        continue
    script = script_of(test["command"])
    if script and sources_lib(script):
        continue
    bad.append(name)

if bad:
    print("tests without a session folder of their own (see this script's "
          "comment): " + ", ".join(bad))
    sys.exit(1)
print(f"ok: {checked} tests, each with its own Open MPI session folder")
