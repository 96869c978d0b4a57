// Command gen_isprint writes codec/text/isprint_table.h: the runes Go's
// strconv.IsPrint accepts, as sorted inclusive ranges, for gt_text_quote().
//
// Run from the repository root with the Go whose strconv.Quote the text
// output must match (the tables follow that Go's Unicode version):
//
//	/usr/lib/go-1.23/bin/go run scripts/gen_isprint.go [-o codec/text/isprint_table.h]
//
// The output is deterministic; commit it. Ranges below U+10000 are stored as
// uint16 pairs, the rest as uint32 pairs, so a lookup is one binary search
// over a few kilobytes of read-only data.

//go:build ignore

package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"strconv"
	"unicode"
	"unicode/utf8"
)

type span struct{ lo, hi rune }

// printableSpans scans every rune and merges consecutive printable ones.
func printableSpans() []span {
	var out []span
	open := false
	for r := rune(0); r <= unicode.MaxRune; r++ {
		p := strconv.IsPrint(r)
		switch {
		case p && !open:
			out = append(out, span{r, r})
			open = true
		case p:
			out[len(out)-1].hi = r
		default:
			open = false
		}
	}
	return out
}

// splitBMP cuts a span crossing U+FFFF/U+10000 so each table holds whole spans.
func splitBMP(all []span) (bmp, supp []span) {
	for _, s := range all {
		switch {
		case s.hi < 0x10000:
			bmp = append(bmp, s)
		case s.lo >= 0x10000:
			supp = append(supp, s)
		default:
			bmp = append(bmp, span{s.lo, 0xFFFF})
			supp = append(supp, span{0x10000, s.hi})
		}
	}
	return bmp, supp
}

func writeTable(b *bytes.Buffer, ctype, name string, spans []span, digits int) {
	fmt.Fprintf(b, "static const %s %s[%d][2] = {\n", ctype, name, len(spans))
	const perLine = 4
	for i, s := range spans {
		if i%perLine == 0 {
			b.WriteString("   ")
		}
		fmt.Fprintf(b, " {0x%0*X, 0x%0*X},", digits, s.lo, digits, s.hi)
		if i%perLine == perLine-1 || i == len(spans)-1 {
			b.WriteString("\n")
		}
	}
	b.WriteString("};\n")
}

func main() {
	out := flag.String("o", "codec/text/isprint_table.h", "output file")
	flag.Parse()

	all := printableSpans()
	bmp, supp := splitBMP(all)
	total := 0
	for _, s := range all {
		total += int(s.hi-s.lo) + 1
	}
	// Sanity checks on facts gt_text_quote relies on.
	if !strconv.IsPrint(utf8.RuneError) || strconv.IsPrint(0x7F) || strconv.IsPrint(0xAD) || strconv.IsPrint(0x200B) {
		log.Fatal("unexpected strconv.IsPrint results")
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, `/* GENERATED FILE - DO NOT EDIT.
 *
 * Runes for which Go's strconv.IsPrint reports true (generated with %s,
 * Unicode %s): %d runes in %d inclusive ranges, sorted ascending.
 * Regenerate from the repository root with
 *
 *     /usr/lib/go-1.23/bin/go run scripts/gen_isprint.go -o codec/text/isprint_table.h
 */
#ifndef GT_TEXT_ISPRINT_TABLE_H
#define GT_TEXT_ISPRINT_TABLE_H

#include <stdint.h>

`, runtime.Version(), unicode.Version, total, len(all))
	b.WriteString("/* Ranges of printable runes below U+10000. */\n")
	writeTable(&b, "uint16_t", "gt_isprint_bmp", bmp, 4)
	b.WriteString("\n/* Ranges of printable runes from U+10000 up. */\n")
	writeTable(&b, "uint32_t", "gt_isprint_supp", supp, 5)
	b.WriteString("\n#endif\n")

	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "%s: %d ranges (%d BMP, %d supplementary), %d printable runes\n",
		*out, len(all), len(bmp), len(supp), total)
}
