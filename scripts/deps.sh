#!/usr/bin/env bash
# Installs the Debian packages gotrace needs to build, test and fuzz.
#
# The Go toolchains 1.21-1.23 come from Debian's bookworm-backports suite. Its
# sources entry is derived from the machine's existing Debian apt sources (the
# same URIs and keyring, only the suite changes), so no mirror is named here.
#
#   scripts/deps.sh          install everything that is missing
#   scripts/deps.sh --check  exit 0 if everything is present, 1 otherwise
set -euo pipefail

BASE_PKGS=(make gcc pkg-config time libcmocka-dev libxxhash-dev clang llvm libclang-rt-14-dev afl++
           golang-go golang-1.19-src)
BPO_PKGS=(golang-1.21-go golang-1.22-go golang-1.23-go golang-1.23-src)
BPO_SUITE=bookworm-backports
BPO_FILE=/etc/apt/sources.list.d/gotrace-backports.sources

missing() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
    done
}

# Print a deb822 stanza for the backports suite, copied from the first stanza
# of the existing sources that carries the main bookworm suite.
derive_deb822() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk -v suite="$BPO_SUITE" '
            BEGIN { RS = ""; FS = "\n" }
            {
                uris = ""; keys = ""; comps = ""; ok = 0
                for (i = 1; i <= NF; i++) {
                    if ($i ~ /^URIs:/) uris = $i
                    if ($i ~ /^Signed-By:/) keys = $i
                    if ($i ~ /^Components:/) comps = $i
                    if ($i ~ /^Suites:/ && $i ~ /[ \t]bookworm([ \t]|$)/) ok = 1
                }
                if (ok && uris != "") {
                    print "Types: deb"; print uris; print "Suites: " suite
                    print (comps != "" ? comps : "Components: main")
                    if (keys != "") print keys
                    exit 0
                }
            }' "$f" && return 0
    done
    return 1
}

# Same, from a one-line-style sources.list.
derive_oneline() {
    [ -f /etc/apt/sources.list ] || return 1
    awk -v suite="$BPO_SUITE" '
        $1 == "deb" {
            for (i = 2; i <= NF; i++) if ($i == "bookworm") { $i = suite; print; exit }
        }' /etc/apt/sources.list
}

add_backports() {
    if [ -f "$BPO_FILE" ] || grep -rqs "$BPO_SUITE" /etc/apt/sources.list /etc/apt/sources.list.d/; then
        return 0
    fi
    local stanza
    stanza=$(derive_deb822 || true)
    if [ -n "$stanza" ]; then
        printf '%s\n' "$stanza" >"$BPO_FILE"
    else
        stanza=$(derive_oneline || true)
        [ -n "$stanza" ] || { echo "deps: no bookworm entry in the apt sources to derive $BPO_SUITE from" >&2; exit 1; }
        printf '%s\n' "$stanza" >/etc/apt/sources.list.d/gotrace-backports.list
    fi
    echo "deps: added $BPO_SUITE (derived from the existing apt sources)"
}

need_base=$(missing "${BASE_PKGS[@]}")
need_bpo=$(missing "${BPO_PKGS[@]}")
if [ "${1:-}" = "--check" ]; then
    [ -z "$need_base$need_bpo" ]
    exit $?
fi
[ -z "$need_base$need_bpo" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
if [ -n "$need_bpo" ]; then
    if [ -n "$SUDO" ]; then $SUDO bash "$0"; exit $?; fi
    add_backports
fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
[ -z "$need_base" ] || $SUDO apt-get install -y -qq --no-install-recommends $need_base
# shellcheck disable=SC2086
[ -z "$need_bpo" ] || $SUDO apt-get install -y -qq --no-install-recommends -t "$BPO_SUITE" $need_bpo
echo "deps: all packages present"
