#!/usr/bin/env python3
"""Differential testing of gotrace's verdicts against Go 1.27's trace reader.

Mutants of real traces (truncations, bit flips, byte insertions and
deletions, duplicated, dropped and swapped batches) are judged by
`gotrace validate` and by Go 1.27's internal/trace.Reader (what `go tool
trace` runs; build/go/gotraceoracle validate -reader), both on the same
bytes, many files per process. The report counts agreement per mutation
class and groups every disagreement by (gotrace's status, Go's message with
the numbers taken out), keeping the smallest example of each group.

    tests/diff/difftest.py [-n N] [--seed S] [--out DIR] [--gotrace-flag F]... TRACE...

Writes DIR/summary.txt (the table), DIR/disagreements.tsv (one line per
disagreeing mutant) and DIR/examples/<group>.trace (the smallest mutant of
each group, for spec/PERMISSIVE.md and for tests). Exit status 0 when the
agreement is at least --min-agreement percent (default 0: report only) and
no disagreement is unexplained (--allow-unexplained to report only).
"""
import argparse
import collections
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLASSES = ["truncate", "bitflip", "insert", "delete", "dup-batch", "drop-batch", "swap-batches"]


def uvarint(b, i):
    x = s = 0
    while True:
        if i >= len(b) or s > 63:
            raise ValueError
        c = b[i]
        i += 1
        x |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return x, i


def v2_batches(data):
    """(start, end) of each top-level item of a well-formed v2 trace."""
    out, i = [], 16
    while i < len(data):
        start, t = i, data[i]
        if t == 0x34:  # end-of-generation marker
            out.append((i, i + 1))
            i += 1
            continue
        i += 1
        if t == 0x31:
            i += 1
        elif t != 0x01:
            break
        try:
            for _ in range(3):
                _, i = uvarint(data, i)
            size, i = uvarint(data, i)
        except ValueError:
            break
        i += size
        out.append((start, min(i, len(data))))
    return out


def mutate(data, batches, cls, rnd):
    b = bytearray(data)
    n = len(b)
    if cls == "truncate":
        return bytes(b[: rnd.randrange(16, n)])
    if cls == "bitflip":
        for _ in range(rnd.choice([1, 1, 1, 2, 3, 4, 8, 16])):
            i = rnd.randrange(16, n)
            b[i] ^= 1 << rnd.randrange(8)
        return bytes(b)
    if cls == "insert":
        for _ in range(rnd.choice([1, 1, 2, 4])):
            b.insert(rnd.randrange(16, len(b) + 1), rnd.randrange(256))
        return bytes(b)
    if cls == "delete":
        for _ in range(rnd.choice([1, 1, 2, 4])):
            if len(b) > 17:
                del b[rnd.randrange(16, len(b))]
        return bytes(b)
    if not batches:
        return None
    if cls == "dup-batch":
        s, e = rnd.choice(batches)
        at = rnd.choice([e, rnd.choice(batches)[0]])
        return bytes(b[:at] + b[s:e] + b[at:])
    if cls == "drop-batch":
        s, e = rnd.choice(batches)
        return bytes(b[:s] + b[e:])
    if cls == "swap-batches":
        (s1, e1), (s2, e2) = sorted(rnd.sample(batches, 2)) if len(batches) > 1 else (batches[0], batches[0])
        if s1 == s2:
            return None
        return bytes(b[:s1] + b[s2:e2] + b[e1:s2] + b[s1:e1] + b[e2:])
    raise AssertionError(cls)


NUM = re.compile(r"\d+")

# Disagreements spec/PERMISSIVE.md documents: (gotrace verdict, gotrace text,
# Go verdict) -> its section. gotrace rejects files Go's reader accepts but
# Go's own tools crash on (sections 10, 17, 18), saying so in its message.
EXPLAINED = [
    (lambda o, g: o[0] == "reject" and "tools crash" in o[1] and g[0] == "accept",
     "PERMISSIVE 10/17/18: Go's reader accepts, Go's tools crash"),
]


def explain(o, g):
    for test, what in EXPLAINED:
        if test(o, g):
            return what
    return None


def go_group(msg):
    """Go's message with numbers and per-file details taken out."""
    msg = msg.split("\\n")[0]
    msg = msg.split(": frontier:")[0]
    return NUM.sub("N", msg)[:90]


def run_gotrace(gt, flags, files):
    out = subprocess.run([gt, "validate"] + flags + files, capture_output=True, text=True, errors="replace")
    res = {}
    for line in out.stdout.splitlines():
        name, _, rest = line.partition(": ")
        if rest.startswith("ok"):
            res[name] = ("accept", "")
        elif rest.startswith("invalid: "):
            st = rest[len("invalid: ") :].split()[0]
            # "invalid: STATUS at offset N (where): MESSAGE [kept ...]"
            msg = rest.split("): ", 1)[-1] if "): " in rest else rest.split(": ", 2)[-1]
            msg = re.sub(r" \[kept [^]]*\]$", "", msg)
            res[name] = ("reject", st + " " + msg)
    return res


def run_go(oracle, files):
    out = subprocess.run([oracle, "validate", "-reader"] + files, capture_output=True, text=True, errors="replace")
    res = {}
    for line in out.stdout.splitlines():
        parts = line.split("\t", 2)
        if len(parts) < 2:
            continue
        kind = parts[1]
        msg = parts[2] if len(parts) > 2 else ""
        res[parts[0]] = ("accept", "") if kind == "ok" else ("panic" if kind == "panic" else "reject", msg)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--out", default=os.path.join(ROOT, "build/reports/difftest"))
    ap.add_argument("--gotrace", default=os.path.join(ROOT, os.environ.get("GT_BUILD", "build"), "gotrace"))
    ap.add_argument("--oracle", default=os.path.join(ROOT, "build/go/gotraceoracle"))
    ap.add_argument("--gotrace-flag", action="append", default=[])
    ap.add_argument("--chunk", type=int, default=500)
    ap.add_argument("--min-agreement", type=float, default=0.0)
    ap.add_argument("--allow-unexplained", action="store_true")
    ap.add_argument("traces", nargs="+")
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.SystemRandom().randrange(1 << 32)
    rnd = random.Random(seed)
    srcs = []
    for t in a.traces:
        data = open(t, "rb").read()
        srcs.append((os.path.basename(t), data, v2_batches(data)))
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(os.path.join(a.out, "examples"))
    tmp = tempfile.mkdtemp(prefix="gt-difftest-")
    stats = collections.defaultdict(lambda: [0, 0])  # class -> [n, agree]
    groups = {}  # key -> [count, smallest example (size, bytes, info)]
    dis = open(os.path.join(a.out, "disagreements.tsv"), "w")
    dis.write("mutant\tsource\tclass\tgotrace\tgo\n")
    done = 0
    panics = 0
    rejected = [0, 0]  # by gotrace, by Go
    msgs = [0, 0]  # both reject: same first line of the message, different
    explained = collections.Counter()
    print(f"difftest: seed {seed}, {a.n} mutants of {len(srcs)} traces", flush=True)
    while done < a.n:
        batch = []
        while len(batch) < min(a.chunk, a.n - done):
            name, data, bts = rnd.choice(srcs)
            cls = rnd.choice(CLASSES)
            m = mutate(data, bts, cls, rnd)
            if m is None or m == data:
                continue
            path = os.path.join(tmp, f"m{done + len(batch)}")
            open(path, "wb").write(m)
            batch.append((path, name, cls, m))
        files = [p for p, *_ in batch]
        ours, go = run_gotrace(a.gotrace, a.gotrace_flag, files), run_go(a.oracle, files)
        for path, name, cls, m in batch:
            o = ours.get(path, ("error", "no verdict (crash?)"))
            g = go.get(path, ("error", "no verdict"))
            st = stats[cls]
            st[0] += 1
            if g[0] == "panic":
                panics += 1
            if o[0] == "reject" and g[0] == "reject":
                ours_msg = o[1].split(" ", 1)[1] if " " in o[1] else ""
                same = ours_msg == g[1].replace("\\n", "\n").split("\n")[0] or (
                    g[1].startswith("broken trace: failed to advance") and ours_msg.startswith("broken trace: failed to advance"))
                msgs[0 if same else 1] += 1
            rejected[0] += o[0] != "accept"
            rejected[1] += g[0] != "accept"
            agree = (o[0] == "accept") == (g[0] == "accept") and o[0] != "error" and g[0] != "error"
            if agree:
                st[1] += 1
            else:
                why = explain(o, g)
                if why:
                    explained[why] += 1
                key = f"{'explained' if why else 'UNEXPLAINED'}: gotrace {o[0]} {o[1].split()[0] if o[1] else ''} | go {g[0]}: {go_group(g[1])}"
                ent = groups.setdefault(key, [0, None])
                ent[0] += 1
                if ent[1] is None or len(m) < len(ent[1][1]):
                    ent[1] = (len(m), m, f"{name} {cls}: gotrace: {o[1][:160]} | go: {g[1][:160]}")
                dis.write(f"{os.path.basename(path)}\t{name}\t{cls}\t{o[0]}: {o[1][:120]}\t{g[0]}: {g[1][:120]}\n")
            os.remove(path)
        done += len(batch)
        tot = sum(v[0] for v in stats.values())
        agr = sum(v[1] for v in stats.values())
        print(f"  {done}/{a.n}: agreement {100.0 * agr / tot:.3f}%", flush=True)
    dis.close()
    tot = sum(v[0] for v in stats.values())
    agr = sum(v[1] for v in stats.values())
    pct = 100.0 * agr / tot if tot else 0.0
    lines = [f"# difftest: seed {seed}; gotrace validate {' '.join(a.gotrace_flag)} vs Go 1.27 Reader",
             f"# sources: {', '.join(n for n, *_ in srcs)}",
             "class\tmutants\tagree\tagreement %"]
    for c in CLASSES:
        n, ok = stats[c]
        if n:
            lines.append(f"{c}\t{n}\t{ok}\t{100.0 * ok / n:.3f}")
    lines.append(f"all\t{tot}\t{agr}\t{pct:.3f}")
    unexplained = tot - agr - sum(explained.values())
    lines.append(f"# rejected by gotrace: {rejected[0]}, by Go: {rejected[1]} (of {tot}); where both reject, "
                 f"Go's message (first line) is gotrace's on {msgs[0]} and differs on {msgs[1]}")
    lines.append(f"# disagreements: {tot - agr}, explained by spec/PERMISSIVE.md {sum(explained.values())}, "
                 f"unexplained {unexplained}; Go's reader panicked on {panics} mutants (counted as rejections)")
    for what, n in explained.items():
        lines.append(f"#   {n}\t{what}")
    lines.append("")
    lines.append("# disagreement groups (count, example file, smallest example)")
    for i, (k, (cnt, ex)) in enumerate(sorted(groups.items(), key=lambda kv: -kv[1][0])):
        fn = f"g{i:02d}-{hashlib.sha1(k.encode()).hexdigest()[:8]}.trace"
        open(os.path.join(a.out, "examples", fn), "wb").write(ex[1])
        lines.append(f"{cnt}\t{fn}\t{k}\n\t\t{ex[2]}")
    open(os.path.join(a.out, "summary.txt"), "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if pct >= a.min_agreement and (unexplained == 0 or a.allow_unexplained) else 1


if __name__ == "__main__":
    sys.exit(main())
