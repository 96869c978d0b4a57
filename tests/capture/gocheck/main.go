//go:build gotrace_capcheck

// Command gtcapcheck reads a trace written by the capture layer with Go
// 1.27's own reader (internal/trace) and prints what Go decoded of the
// AllocFree experiment: the experimental events by name, and the type
// records of the experimental batches (kind 0: id, address, size,
// pointer bytes, name), so tests/scripts/t_capture_traces.sh can check
// them against what the test recorded. It imports internal packages, so it
// is built inside Go 1.27's source tree through -overlay, like
// tests/go/oracle127.
//
//	gtcapcheck FILE
//	    events NAME COUNT        per experimental event name
//	    type NAME SIZE PTRBYTES  per type record (each generation's)
//	    info PAGESIZE ALIGN      per info batch
package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sort"

	"internal/trace"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gtcapcheck FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	r, err := trace.NewReader(bufio.NewReader(f))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	counts := map[string]int{}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		switch ev.Kind() {
		case trace.EventExperimental:
			counts[ev.Experimental().Name]++
		case trace.EventSync:
			for _, b := range ev.Sync().ExperimentalBatches["AllocFree"] {
				if err := batch(out, b.Data); err != nil {
					fmt.Fprintln(os.Stderr, "AllocFree batch:", err)
					os.Exit(1)
				}
			}
		}
	}
	var names []string
	for n := range counts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(out, "events %s %d\n", n, counts[n])
	}
}

// batch decodes one AllocFree experimental batch as the runtime writes it
// (runtime/traceallocfree.go, tracetype.go).
func batch(out io.Writer, d []byte) error {
	if len(d) == 0 {
		return fmt.Errorf("empty")
	}
	kind, d := d[0], d[1:]
	next := func() (uint64, error) {
		v, n := binary.Uvarint(d)
		if n <= 0 {
			return 0, fmt.Errorf("bad varint")
		}
		d = d[n:]
		return v, nil
	}
	switch kind {
	case 0:
		for len(d) > 0 {
			var f [5]uint64
			for i := range f {
				v, err := next()
				if err != nil {
					return err
				}
				f[i] = v
			}
			if uint64(len(d)) < f[4] {
				return fmt.Errorf("type name past the end")
			}
			fmt.Fprintf(out, "type %q %d %d\n", d[:f[4]], f[2], f[3])
			d = d[f[4]:]
		}
	case 1:
		var f [4]uint64
		for i := range f {
			v, err := next()
			if err != nil {
				return err
			}
			f[i] = v
		}
		fmt.Fprintf(out, "info %d %d\n", f[1], f[2])
	default:
		return fmt.Errorf("unknown batch kind %d", kind)
	}
	return nil
}
