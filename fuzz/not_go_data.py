#!/usr/bin/env python3
"""not_go_data.py OUTDIR REFDIR_OR_FILE... -- FILE|DIR...

Copy into OUTDIR every input file that is not mostly a copy of a reference
file (Go's own test traces, which this repository must not contain): a file
is dropped when it shares a prefix of more than 512 bytes with a reference, or
when more than half of its bytes (files above 256 bytes) equal the reference's
at the same offsets. Used by fuzz.sh merge before minimising campaign output
into corpus/."""
import os
import shutil
import sys


def files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # AFL's .state, .synced
                for n in sorted(names):
                    if not n.startswith("."):
                        yield os.path.join(root, n)
        elif os.path.isfile(p):
            yield p


def copies(data, refs):
    for ref in refs:
        n = min(len(data), len(ref))
        if n == 0:
            continue
        prefix = 0
        while prefix < n and data[prefix] == ref[prefix]:
            prefix += 1
        if prefix > 512:
            return True
        if len(data) > 256 and sum(1 for i in range(n) if data[i] == ref[i]) * 2 > len(data):
            return True
    return False


def main():
    if len(sys.argv) < 4 or "--" not in sys.argv:
        print(__doc__, file=sys.stderr)
        return 2
    sep = sys.argv.index("--")
    out, refs_paths, inputs = sys.argv[1], sys.argv[2:sep], sys.argv[sep + 1:]
    refs = [open(f, "rb").read() for f in files(refs_paths)]
    os.makedirs(out, exist_ok=True)
    kept = dropped = 0
    for f in files(inputs):
        data = open(f, "rb").read()
        if copies(data, refs):
            dropped += 1
            continue
        shutil.copy(f, os.path.join(out, "%s-%s" % (kept, os.path.basename(f))))
        kept += 1
    print("not_go_data: kept %d, dropped %d (copies of Go's test data)" % (kept, dropped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
