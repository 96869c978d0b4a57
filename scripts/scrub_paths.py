#!/usr/bin/env python3
"""Scrub absolute file-system paths out of fuzz corpus files, keeping every
byte offset and length.

Used once, when the project's trace-writing programs moved to -trimpath: the
corpus files that earlier campaigns derived from traces without -trimpath
(and from Go's own testdata, which carries its authors' paths) held absolute
paths inside string records. Regenerating seeds is enough for seeds; campaign
files and regression inputs cannot be regenerated, but what the decoders do
with them depends only on their structure, not on the bytes inside a string.
So each absolute path is replaced by its trimmed form (what -trimpath would
have written: the part after .../src/, or the module path for this project's
programs), left-padded with '_' to the original length. Lengths, varints and
every other byte stay as they were.

    scripts/scrub_paths.py [--rename] FILE...

--rename: a file named by the SHA-1 of its content (libFuzzer's corpus
naming) is renamed to the SHA-1 of its new content. Prints what it changed.
"""
import hashlib
import os
import re
import sys

ABS = re.compile(rb"(?<![A-Za-z0-9._~+-])/(?:usr|home|root|work|tmp|opt|var|srv|mnt)/[A-Za-z0-9._/+-]*")
SHA1_NAME = re.compile(r"^[0-9a-f]{40}$")


def trimmed(path: bytes) -> bytes:
    if b"/tests/go/" in path:  # this project's Go programs: module gotrace.test/go
        return b"gotrace.test/go/" + path.split(b"/tests/go/", 1)[1]
    if b"/src/" in path:  # a GOROOT: std paths are relative to src/
        return path.split(b"/src/", 1)[1]
    return path.rsplit(b"/", 1)[-1]


def scrub(data: bytes) -> bytes:
    def repl(m):
        old = m.group(0)
        new = trimmed(old)[-len(old):]
        return b"_" * (len(old) - len(new)) + new

    return ABS.sub(repl, data)


def main(argv):
    rename = "--rename" in argv
    files = [a for a in argv if a != "--rename"]
    for f in files:
        data = open(f, "rb").read()
        new = scrub(data)
        if new == data:
            continue
        assert len(new) == len(data)
        dst = f
        base = os.path.basename(f)
        if rename and SHA1_NAME.match(base):
            dst = os.path.join(os.path.dirname(f), hashlib.sha1(new).hexdigest())
        with open(dst, "wb") as out:
            out.write(new)
        if dst != f:
            os.remove(f)
        print(f"scrubbed {f}" + (f" -> {os.path.basename(dst)}" if dst != f else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
