// Command fuzzconv turns one Go fuzz corpus file holding a single []byte value
// (the format of internal/trace's testdata/fuzz/FuzzReader) into the raw bytes.
//
// Usage:
//
//	fuzzconv CORPUS-FILE > OUT
//
// A corpus file is the line "go test fuzz v1" followed by one line per fuzz
// argument; FuzzReader has one argument, written as []byte("...") with a
// Go-quoted string literal (or a back-quoted raw literal).
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: fuzzconv CORPUS-FILE > OUT")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail(err)
	}
	raw, err := decode(data)
	if err != nil {
		fail(fmt.Errorf("%s: %v", os.Args[1], err))
	}
	w := bufio.NewWriter(os.Stdout)
	if _, err := w.Write(raw); err != nil {
		fail(err)
	}
	if err := w.Flush(); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "fuzzconv:", err)
	os.Exit(1)
}

func decode(data []byte) ([]byte, error) {
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 || lines[0] != "go test fuzz v1" {
		return nil, fmt.Errorf("not a Go fuzz corpus file (want first line %q)", "go test fuzz v1")
	}
	if len(lines) != 2 {
		return nil, fmt.Errorf("want exactly one value, found %d", len(lines)-1)
	}
	v := lines[1]
	if !strings.HasPrefix(v, "[]byte(") || !strings.HasSuffix(v, ")") {
		return nil, fmt.Errorf("value is not a []byte(...) literal: %.40q", v)
	}
	s, err := strconv.Unquote(v[len("[]byte(") : len(v)-1])
	if err != nil {
		return nil, fmt.Errorf("bad string literal: %v", err)
	}
	return []byte(s), nil
}
