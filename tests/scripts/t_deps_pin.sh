#!/usr/bin/env bash
# scripts/deps.sh takes Go 1.24-1.27 from trixie and trixie-backports, and
# nothing else: its apt preferences give everything in those suites priority
# -1 except the listed golang packages. Shown here:
#   1. the trixie sources entry exists, was derived from the machine's own
#      sources (same URIs as a bookworm entry) and the pin file exists;
#   2. `apt-get -s upgrade` and `apt-get -s dist-upgrade` would install
#      nothing from trixie or trixie-backports (a package version counts as
#      trixie's when the trixie lists have it and no other list does; the
#      detector is first checked on a simulated reinstall of two pinned
#      packages, one from each trixie suite);
#   3. every installed package whose installed version is trixie's is one of
#      deps.sh's golang packages;
#   4. the pin really bites: libc6 has a trixie version in the package lists
#      (so the entry is live) at priority -1, and its candidate is bookworm's;
#   5. no registry host name is written anywhere in the repository.
set -u
cd "$(dirname "$0")/../.." || exit 1
src=/etc/apt/sources.list.d/gotrace-trixie.sources
pin=/etc/apt/preferences.d/gotrace-trixie
if [ ! -f "$pin" ] || { [ ! -f "$src" ] && [ ! -f "${src%.sources}.list" ]; }; then
    echo "skip: scripts/deps.sh has not added the trixie suites on this machine"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# 1. derived from the existing sources
f=$src
[ -f "$f" ] || f=${src%.sources}.list
uris=$(sed -n 's/^URIs: *//p' "$f"; awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) print $i }' "$f")
for u in $uris; do
    grep -rqsF --exclude='gotrace-*' -- "$u" /etc/apt/sources.list /etc/apt/sources.list.d/ ||
        fail "$f: URI $u does not come from the machine's other sources"
done
echo "sources: $f ($(echo $uris)), pin: $pin"

# The (package, version) pairs only the trixie suites have.
python3 - "$tmp/trixie-only" <<'PY' || fail "could not read the package lists"
import glob, subprocess, sys
def versions(paths):
    # apt keeps its lists compressed; apt-helper cat-file reads any of its formats.
    out, pkg = set(), None
    for path in paths:
        text = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", path], capture_output=True,
                              check=True, text=True, errors="replace").stdout
        for line in text.splitlines():
            if line.startswith("Package: "):
                pkg = line.split()[1]
            elif line.startswith("Version: ") and pkg:
                out.add((pkg, line.split()[1]))
    return out
lists = glob.glob("/var/lib/apt/lists/*_Packages*")
trixie = versions(p for p in lists if "_dists_trixie" in p)
other = versions(p for p in lists if "_dists_trixie" not in p)
if not trixie or not other:
    sys.exit("no trixie or no bookworm package list could be read")
with open(sys.argv[1], "w") as out:
    for p, v in sorted(trixie - other):
        out.write(f"{p} {v}\n")
PY
# from_trixie: read `apt-get -s` output, print the packages it would install in a trixie version.
from_trixie() {
    sed -n 's/^Inst \([^ ]*\) \(\[[^]]*\] \)\?(\([^ ]*\) .*/\1 \3/p' | grep -Fxf "$tmp/trixie-only" | cut -d' ' -f1
}

# 2. a simulated upgrade takes nothing from trixie (after checking the detector)
ctl=$(LC_ALL=C apt-get -s -o Debug::NoLocking=1 install --reinstall golang-1.24-src golang-1.27-go 2>&1 | from_trixie | tr '\n' ' ')
[ "$ctl" = "golang-1.24-src golang-1.27-go " ] || fail "the trixie detector misses a simulated reinstall: got '$ctl'"
for cmd in upgrade dist-upgrade; do
    out=$(LC_ALL=C apt-get -s -o Debug::NoLocking=1 "$cmd" 2>&1) || { fail "apt-get -s $cmd failed: $(tail -n 1 <<<"$out")"; continue; }
    bad=$(from_trixie <<<"$out" | tr '\n' ' ')
    if [ -n "$bad" ]; then
        fail "apt-get -s $cmd would take from trixie: $bad"
    else
        echo "apt-get -s $cmd: $(grep -c '^Inst ' <<<"$out") package(s) to install, none from trixie"
    fi
done

# 3. what is installed from trixie is only the pinned golang packages
installed=$(dpkg-query -W -f='${Package} ${Version}\n' | grep -Fxf "$tmp/trixie-only" | cut -d' ' -f1 | tr '\n' ' ')
allowed=$(awk '/^TRIXIE_PKGS=\(/ { on = 1 } on { print } on && /\)/ { exit }' scripts/deps.sh | grep -o 'golang-[0-9.]*-[a-z]*' | tr '\n' ' ')
for p in $installed; do
    case " $allowed " in *" $p "*) ;; *) fail "$p is installed in a trixie version but deps.sh does not pin it" ;; esac
done
[ -n "$installed" ] || fail "no trixie package is installed: run scripts/deps.sh"
echo "installed from trixie: $installed(allowed: $allowed)"

# 4. the pin is what keeps trixie out
pol=$(LC_ALL=C apt-cache policy libc6)
prio=$(awk '/^ *(\*\*\* )?[0-9]/ { v = $NF } / trixie\/main / { print $1; exit }' <<<"$pol")
cand=$(sed -n 's/^ *Candidate: //p' <<<"$pol")
if [ -z "$prio" ]; then
    fail "libc6 has no trixie version in the package lists: is the trixie entry live?"
elif [ "$prio" != -1 ] || grep -qxF "libc6 $cand" "$tmp/trixie-only"; then
    fail "libc6: trixie priority $prio, candidate $cand"
else
    echo "libc6: trixie version at priority $prio, candidate $cand (bookworm)"
fi

# 5. no registry host in the repository
hosts=$(git ls-files | grep -v '^corpus/' | xargs grep -lIE '(deb|security|ftp|httpredir|archive|snapshot)\.debian\.org|mirrors?\.[a-z]+\.[a-z]+/debian' 2>/dev/null || true)
[ -z "$hosts" ] || fail "registry host names written in: $hosts"

[ $fails -eq 0 ] || { echo "t_deps_pin: $fails failure(s)"; exit 1; }
echo "t_deps_pin: ok"
