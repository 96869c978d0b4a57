//go:build gotrace_oracle

// This file is not part of any package of this repository. tests/go/legacy_counts.sh
// places it, through `go test -overlay`, inside the internal/trace package of an
// installed Go 1.19 or Go 1.21 source tree, where it can call that package's
// unexported legacy-format reader. Nothing of Go's tree is copied or changed.

package trace

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"testing"
)

// TestGotraceOracle reads every file named in GT_ORACLE_FILES (separated by
// newlines or colons) with readTrace, the wire-level first pass of Go's legacy
// parser, and writes per-type event counts to GT_ORACLE_OUT (default: stdout):
//
//	FILE<TAB>#version<TAB>1019           the header version readTrace accepted
//	FILE<TAB>Name<TAB>count              one line per event type present
//	FILE<TAB>#parse<TAB>ok               the full parse (ordering, state checks)
//	FILE<TAB>#parse<TAB>message          ... or its error
//	FILE<TAB>ERROR<TAB>message           readTrace itself failed (no other lines)
//
// Names are EventDescriptions[type].Name of the toolchain running the test.
// readTrace returns every event except EvString records, which it stores in a
// map keyed by string ID. It rejects an ID of 0, a duplicate ID (any earlier
// string with that ID is non-empty, because empty strings are rejected too),
// so on success the map holds exactly one entry per EvString record and its
// size is the exact String count.
func TestGotraceOracle(t *testing.T) {
	var w io.Writer = os.Stdout
	if path := os.Getenv("GT_ORACLE_OUT"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		w = f
	}
	files := strings.FieldsFunc(os.Getenv("GT_ORACLE_FILES"), func(r rune) bool {
		return r == '\n' || r == ':'
	})
	for _, name := range files {
		oracleFile(w, name)
	}
}

func oracleFile(w io.Writer, name string) {
	data, err := os.ReadFile(name)
	if err != nil {
		fmt.Fprintf(w, "%s\tERROR\t%v\n", name, err)
		return
	}
	ver, events, strs, err := oracleRead(data)
	if err != nil {
		fmt.Fprintf(w, "%s\tERROR\t%s\n", name, oneLine(err))
		return
	}
	counts := map[string]int{}
	for _, ev := range events {
		counts[EventDescriptions[ev.typ].Name]++
	}
	if len(strs) > 0 {
		counts[EventDescriptions[EvString].Name] = len(strs)
	}
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "%s\t#version\t%d\n", name, ver)
	for _, n := range names {
		fmt.Fprintf(w, "%s\t%s\t%d\n", name, n, counts[n])
	}
	verdict := "ok"
	if err := oracleParse(data); err != nil {
		verdict = oneLine(err)
	}
	fmt.Fprintf(w, "%s\t#parse\t%s\n", name, verdict)
}

// oracleRead runs readTrace, turning a panic into an error.
func oracleRead(data []byte) (ver int, events []rawEvent, strs map[uint64]string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PANIC: %v", r)
		}
	}()
	return readTrace(bytes.NewReader(data))
}

// oracleParse runs the whole legacy parser (without symbolization), turning a
// panic into an error.
func oracleParse(data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PANIC: %v", r)
		}
	}()
	_, _, err = parse(bytes.NewReader(data), "")
	return err
}

func oneLine(err error) string {
	return strings.ReplaceAll(strings.ReplaceAll(err.Error(), "\n", " "), "\t", " ")
}

// TestGotraceParseBench runs Go's full legacy parse (the one `go tool trace`
// uses) on GT_BENCH_FILE, for bench/run.sh's side-by-side figures.
func TestGotraceParseBench(t *testing.T) {
	name := os.Getenv("GT_BENCH_FILE")
	if name == "" {
		t.Skip("GT_BENCH_FILE not set")
	}
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := oracleParse(data); err != nil {
		t.Fatal(err)
	}
}

// TestGotraceLegacyVerdict prints the verdict of the running toolchain's full
// legacy parse (parse: readTrace, parseEvents, ordering, removeFutile,
// postProcessTrace; no symbolization) for every file in GT_ORACLE_FILES, to
// GT_ORACLE_OUT (default: stdout), one line per file:
//
//	FILE<TAB>ok
//	FILE<TAB>error<TAB>message         Go's error, on one line
//	FILE<TAB>panic<TAB>message         the parser panicked
//
// Run in Go 1.21's tree it is the oracle of tests/scripts/t_legacy_semantic.sh
// for every legacy version (Go 1.21 reads 1.5 to 1.21).
func TestGotraceLegacyVerdict(t *testing.T) {
	var w io.Writer = os.Stdout
	if path := os.Getenv("GT_ORACLE_OUT"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		w = f
	}
	files := strings.FieldsFunc(os.Getenv("GT_ORACLE_FILES"), func(r rune) bool {
		return r == '\n' || r == ':'
	})
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(w, "%s\tio\t%s\n", name, oneLine(err))
			continue
		}
		kind, msg := legacyVerdict(data)
		if kind == "ok" {
			fmt.Fprintf(w, "%s\tok\n", name)
		} else {
			fmt.Fprintf(w, "%s\t%s\t%s\n", name, kind, msg)
		}
	}
}

func legacyVerdict(data []byte) (kind, msg string) {
	defer func() {
		if r := recover(); r != nil {
			kind, msg = "panic", strings.ReplaceAll(fmt.Sprint(r), "\n", " ")
		}
	}()
	if _, _, err := parse(bytes.NewReader(data), ""); err != nil {
		return "error", oneLine(err)
	}
	return "ok", ""
}
