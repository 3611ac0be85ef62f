"""bench/scripts/timings.py: the timing files the benchmark scripts write,
one "name<TAB>seconds" line a run, read back as medians. Imported by their
inline Python (sys.path gets this folder)."""
import statistics


def read_timings(path):
    """{name: [seconds, ...]} in the order of the file."""
    runs = {}
    for line in open(path):
        name, seconds = line.split("\t")
        runs.setdefault(name, []).append(float(seconds))
    return runs


def medians(path):
    """(runs, {name: median seconds})."""
    runs = read_timings(path)
    return runs, {k: statistics.median(v) for k, v in runs.items()}
