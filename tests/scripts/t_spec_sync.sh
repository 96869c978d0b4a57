#!/usr/bin/env bash
# t_spec_sync: every GENERATED section of spec/FORMAT.md is byte-identical to
# what tests/tools/spec_tables prints from the C event tables.
# gt-sanitize
#
#   tests/scripts/t_spec_sync.sh           check; print a diff per stale section
#   tests/scripts/t_spec_sync.sh --update  rewrite the sections in FORMAT.md
#
# Builds nothing: runs ${GT_BUILD:-build}/tools/spec_tables (make unit builds it).
# Exit 0 = in sync (or updated), 1 = out of sync or error.
set -u
cd "$(dirname "$0")/../.." || exit 1

build=${GT_BUILD:-build}
tool=$build/tools/spec_tables
doc=spec/FORMAT.md
mode=check
case ${1:-} in
"") ;;
--update) mode=update ;;
*) echo "usage: $0 [--update]" >&2; exit 1 ;;
esac

[ -x "$tool" ] || { echo "t_spec_sync: $tool not found (build it: make B=$build $tool)"; exit 1; }
[ -f "$doc" ] || { echo "t_spec_sync: $doc not found"; exit 1; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

if ! "$tool" >"$tmp/all"; then
    echo "t_spec_sync: $tool failed"
    exit 1
fi

begin_re='^<!-- BEGIN GENERATED: ([A-Za-z0-9_.-]+) -->$'
names() { # file -> section names, in order
    sed -n -E "s/$begin_re/\\1/p" "$1"
}
section() { # name file -> the section, marker lines included
    awk -v b="<!-- BEGIN GENERATED: $1 -->" -v e="<!-- END GENERATED: $1 -->" \
        '$0 == b { on = 1 } on { print } on && $0 == e { exit }' "$2"
}

tool_names=$(names "$tmp/all")
[ -n "$tool_names" ] || { echo "t_spec_sync: $tool printed no sections"; exit 1; }

status=0
# Every section of the tool appears exactly once in the document, with its end marker.
for n in $tool_names; do
    c=$(grep -c -x -F "<!-- BEGIN GENERATED: $n -->" "$doc")
    e=$(grep -c -x -F "<!-- END GENERATED: $n -->" "$doc")
    if [ "$c" != 1 ] || [ "$e" != 1 ]; then
        echo "t_spec_sync: $doc has $c BEGIN and $e END markers for section '$n' (want 1 each)"
        status=1
    fi
done
# ... and the document has no section the tool does not produce.
for n in $(names "$doc"); do
    if ! printf '%s\n' $tool_names | grep -q -x -F "$n"; then
        echo "t_spec_sync: $doc has section '$n' that $tool does not print"
        status=1
    fi
done
[ $status -eq 0 ] || exit 1

if [ "$mode" = update ]; then
    for n in $tool_names; do section "$n" "$tmp/all" >"$tmp/sec.$n"; done
    awk -v dir="$tmp" '
        match($0, /^<!-- BEGIN GENERATED: [A-Za-z0-9_.-]+ -->$/) {
            name = substr($0, 23, length($0) - 26)
            file = dir "/sec." name
            while ((getline line < file) > 0) print line
            close(file)
            skip = 1
            next
        }
        skip && $0 == "<!-- END GENERATED: " name " -->" { skip = 0; next }
        !skip { print }
    ' "$doc" >"$tmp/doc" || exit 1
    if cmp -s "$tmp/doc" "$doc"; then
        echo "t_spec_sync: $doc already up to date"
    else
        cat "$tmp/doc" >"$doc" || exit 1
        echo "t_spec_sync: updated $(printf '%s ' $tool_names)in $doc"
    fi
    exit 0
fi

for n in $tool_names; do
    section "$n" "$tmp/all" >"$tmp/want"
    section "$n" "$doc" >"$tmp/have"
    if ! cmp -s "$tmp/want" "$tmp/have"; then
        echo "t_spec_sync: section '$n' of $doc differs from $tool (run $0 --update):"
        diff -u --label "$doc" --label "$tool" "$tmp/have" "$tmp/want"
        status=1
    else
        echo "ok  $n ($(wc -l <"$tmp/want") lines)"
    fi
done
exit $status
