#!/usr/bin/env bash
# Installs the Debian packages gotrace needs to build, test and fuzz.
#
# The Go toolchains 1.21-1.23 come from Debian's bookworm-backports suite, Go
# 1.24 from trixie and Go 1.25-1.27 from trixie-backports (Go toolchains are
# static binaries, so trixie's run on bookworm). Each sources entry is derived
# from the machine's existing Debian apt sources (the same URIs and keyring,
# only the suite changes), so no mirror is named here. The trixie suites are
# pinned (apt preferences): only the golang packages listed below may come
# from them, everything else has priority -1 there.
#
#   scripts/deps.sh          install everything that is missing
#   scripts/deps.sh --check  exit 0 if everything is present, 1 otherwise
set -euo pipefail

BASE_PKGS=(make gcc pkg-config time libcmocka-dev libxxhash-dev clang llvm libclang-rt-14-dev afl++
           libunwind8 golang-go golang-1.19-src)
BPO_PKGS=(golang-1.21-go golang-1.22-go golang-1.23-go golang-1.23-src)
BPO_SUITE=bookworm-backports
BPO_FILE=/etc/apt/sources.list.d/gotrace-backports.sources
TRIXIE_PKGS=(golang-1.24-go golang-1.24-src golang-1.25-go golang-1.25-src golang-1.26-go golang-1.26-src
             golang-1.27-go golang-1.27-src)
TRIXIE_SUITES="trixie trixie-backports"
TRIXIE_FILE=/etc/apt/sources.list.d/gotrace-trixie.sources
TRIXIE_PIN=/etc/apt/preferences.d/gotrace-trixie

missing() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
    done
}

# derive_deb822 SUITES: print a deb822 stanza for SUITES (space separated),
# copied from the first stanza of the existing sources that carries the main
# bookworm suite (its URIs, components and keyring).
derive_deb822() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        case $f in */gotrace-*) continue ;; esac
        awk -v suite="$1" '
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

# derive_oneline SUITE: the same, one line per suite, from a one-line-style sources.list.
derive_oneline() {
    [ -f /etc/apt/sources.list ] || return 1
    local suite
    for suite in $1; do
        awk -v suite="$suite" '
            $1 == "deb" {
                for (i = 2; i <= NF; i++) if ($i == "bookworm") { $i = suite; print; exit }
            }' /etc/apt/sources.list
    done | grep . 
}

add_backports() {
    if [ -f "$BPO_FILE" ] || grep -rqs "$BPO_SUITE" /etc/apt/sources.list /etc/apt/sources.list.d/; then
        return 0
    fi
    local stanza
    stanza=$(derive_deb822 "$BPO_SUITE" || true)
    if [ -n "$stanza" ]; then
        printf '%s\n' "$stanza" >"$BPO_FILE"
    else
        stanza=$(derive_oneline "$BPO_SUITE" || true)
        [ -n "$stanza" ] || { echo "deps: no bookworm entry in the apt sources to derive $BPO_SUITE from" >&2; exit 1; }
        printf '%s\n' "$stanza" >/etc/apt/sources.list.d/gotrace-backports.list
    fi
    echo "deps: added $BPO_SUITE (derived from the existing apt sources)"
}

# The pin: priority -1 for everything in the trixie suites, 500 for the golang
# packages we take from them. Specific records come first; apt uses the first
# record that matches a package.
write_trixie_pin() {
    local tmp
    tmp=$(mktemp)
    {
        echo "# Written by gotrace's scripts/deps.sh: only these Go toolchains come from trixie."
        echo "Package: ${TRIXIE_PKGS[*]}"
        echo "Pin: release n=trixie"
        echo "Pin-Priority: 500"
        echo
        echo "Package: ${TRIXIE_PKGS[*]}"
        echo "Pin: release n=trixie-backports"
        echo "Pin-Priority: 500"
        echo
        echo "Package: *"
        echo "Pin: release n=trixie"
        echo "Pin-Priority: -1"
        echo
        echo "Package: *"
        echo "Pin: release n=trixie-backports"
        echo "Pin-Priority: -1"
    } >"$tmp"
    install -m 644 "$tmp" "$TRIXIE_PIN"
    rm -f "$tmp"
}

add_trixie() {
    write_trixie_pin
    if [ -f "$TRIXIE_FILE" ] || [ -f "${TRIXIE_FILE%.sources}.list" ]; then
        return 0
    fi
    local stanza
    stanza=$(derive_deb822 "$TRIXIE_SUITES" || true)
    if [ -n "$stanza" ]; then
        printf '%s\n' "$stanza" >"$TRIXIE_FILE"
    else
        stanza=$(derive_oneline "$TRIXIE_SUITES" || true)
        [ -n "$stanza" ] || { echo "deps: no bookworm entry in the apt sources to derive trixie from" >&2; exit 1; }
        printf '%s\n' "$stanza" >"${TRIXIE_FILE%.sources}.list"
    fi
    echo "deps: added $TRIXIE_SUITES (derived from the existing apt sources, pinned by $TRIXIE_PIN)"
}

need_base=$(missing "${BASE_PKGS[@]}")
need_bpo=$(missing "${BPO_PKGS[@]}")
need_trixie=$(missing "${TRIXIE_PKGS[@]}")
if [ "${1:-}" = "--check" ]; then
    [ -z "$need_base$need_bpo$need_trixie" ] && [ -f "$TRIXIE_PIN" ]
    exit $?
fi
[ -z "$need_base$need_bpo$need_trixie" ] && [ -f "$TRIXIE_PIN" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
if [ -n "$need_bpo$need_trixie" ] || [ ! -f "$TRIXIE_PIN" ]; then
    if [ -n "$SUDO" ]; then $SUDO bash "$0"; exit $?; fi
    add_backports
    add_trixie
fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
[ -z "$need_base" ] || $SUDO apt-get install -y -qq --no-install-recommends $need_base
# shellcheck disable=SC2086
[ -z "$need_bpo" ] || $SUDO apt-get install -y -qq --no-install-recommends -t "$BPO_SUITE" $need_bpo
# (no -t here: the pin alone lets these packages, and nothing else, come from trixie)
# shellcheck disable=SC2086
[ -z "$need_trixie" ] || $SUDO apt-get install -y -qq --no-install-recommends $need_trixie
echo "deps: all packages present"
