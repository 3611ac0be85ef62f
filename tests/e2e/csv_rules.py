# tests/e2e/csv_rules.py: CSV as docs/jobs.md ("clean") defines it, written
# with Python regexes, apart from the engine's code: shared by the clean and
# join oracles. parse(line) gives the fields, or None for an invalid record;
# canonical(field) quotes a field as clean and join write it.
import re

TOKEN = re.compile(rb'[ \t]*(?:"((?:[^"]|"")*)"[ \t]*|([^,"]*))')


def parse(line):
    out, pos = [], 0
    while True:
        m = TOKEN.match(line, pos)
        if m.group(1) is not None:
            out.append(m.group(1).replace(b'""', b'"'))
        else:
            out.append(m.group(2).strip(b" \t"))
        pos = m.end()
        if pos == len(line):
            return out
        if line[pos:pos + 1] != b",":
            return None
        pos += 1


def canonical(f):
    if b"," in f or b'"' in f or (f and (f[:1] in b" \t" or f[-1:] in b" \t")):
        return b'"' + f.replace(b'"', b'""') + b'"'
    return f


def lines_of(name):
    """The records of a file as import reads them: lines without \\n or \\r\\n."""
    data = open(name, "rb").read()
    lines = data.split(b"\n")
    if data.endswith(b"\n") or data == b"":
        lines.pop()
    return [l[:-1] if l.endswith(b"\r") else l for l in lines]
