#!/usr/bin/env python3
"""scripts/timeline.py REPORT.json: the report's timeline as one line a rank.

Each rank's phases with their begin and end in seconds since that rank's
process started (ranks start within milliseconds of each other, so the lines
can be read side by side), e.g.
  rank 1 (node7): start-up 0.000-0.121 | share the plan 0.122-0.143 | map ...
"""
import json
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: timeline.py REPORT.json (written by run --report)")
    with open(sys.argv[1]) as f:
        report = json.load(f)
    for rank in report.get("timeline", []):
        phases = " | ".join(
            "%s %.3f-%.3f" % (p["name"].split(" (")[0], p["begin"], p["end"])
            for p in rank["phases"])
        print("rank %d (%s): %s" % (rank["rank"], rank["host"], phases))


if __name__ == "__main__":
    main()
