//go:build gotrace_oracle

// Command gotraceoracle runs Go 1.27's own trace readers on files, for the
// gotrace tests. It imports internal packages, so it only builds inside the
// Go 1.27 source tree: tests/go/prepare.sh overlays it there at build time
// (go build -overlay), nothing is written into the tree, and the build tag
// keeps ordinary builds of tests/go from seeing it.
//
// Usage:
//
//	gotraceoracle validate [-reader] [-current] FILE...
//	    Each file through internal/trace.Reader and, unless -reader, the test
//	    validator internal/trace/testtrace.Validator with GoVersion set from
//	    the file's header (-current: leave NewValidator's default, Go 1.26,
//	    which rejects every pre-1.25 file with "sync 1 has no clock
//	    snapshot"). Legacy (1.11-1.21) files are validated with GoVersion
//	    Go 1.21, as Go's TestTraceV1 does. One line per file on stdout:
//	        FILE\tok\tEVENTS
//	        FILE\treader\tMESSAGE        the Reader's error
//	        FILE\tvalidator\tMESSAGE     the validator's first error
//	        FILE\tpanic\tMESSAGE         Go's reader or validator panicked
//	        FILE\tio\tMESSAGE            the file could not be read
//	    Messages have newlines replaced by "\\n". Exit status 0 if every file
//	    is ok, 1 otherwise.
//	gotraceoracle read [-validate] FILE
//	    Stream FILE through the Reader (as go tool trace does; with -validate
//	    also the test validator, GoVersion from the header) and print the
//	    number of events: the Go side of `make bench`.
//	gotraceoracle parsed FILE
//	    What `go tool trace -d=parsed` prints: each event's String(), then on
//	    error the error on stderr and exit status 1.
//	gotraceoracle bytes2text  <IN >OUT     internal/trace/raw: binary to text
//	gotraceoracle text2bytes  <IN >OUT     internal/trace/raw: text to binary
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"internal/trace"
	"internal/trace/raw"
	"internal/trace/testtrace"
	"internal/trace/version"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "validate":
		os.Exit(validateCmd(os.Args[2:]))
	case "read":
		err = readCmd(os.Args[2:])
	case "parsed":
		if len(os.Args) != 3 {
			usage()
		}
		err = parsed(os.Args[2])
	case "bytes2text":
		err = bytes2text(bufio.NewReader(os.Stdin), os.Stdout)
	case "text2bytes":
		err = text2bytes(bufio.NewReader(os.Stdin), os.Stdout)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: gotraceoracle validate [-reader] [-current] FILE... | parsed FILE | bytes2text | text2bytes")
	os.Exit(2)
}

func validateCmd(args []string) int {
	fs := flag.NewFlagSet("validate", flag.ExitOnError)
	readerOnly := fs.Bool("reader", false, "the Reader's verdict only")
	current := fs.Bool("current", false, "leave the validator's GoVersion at its default")
	fs.Parse(args)
	rc := 0
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for _, name := range fs.Args() {
		kind, msg := verdict(name, *readerOnly, *current)
		if kind != "ok" {
			rc = 1
		}
		fmt.Fprintf(out, "%s\t%s\t%s\n", name, kind, strings.ReplaceAll(msg, "\n", "\\n"))
	}
	return rc
}

// verdict reads one file. kind is ok, reader, validator, panic or io.
func verdict(name string, readerOnly, current bool) (kind, msg string) {
	data, err := os.ReadFile(name)
	if err != nil {
		return "io", err.Error()
	}
	stage := "reader"
	defer func() {
		if p := recover(); p != nil {
			kind, msg = "panic", fmt.Sprintf("%s: %v", stage, p)
		}
	}()
	r, err := trace.NewReader(bytes.NewReader(data))
	if err != nil {
		return "reader", err.Error()
	}
	var v *testtrace.Validator
	if !readerOnly {
		v = testtrace.NewValidator()
		if !current {
			// The header already passed NewReader, so ReadHeader succeeds.
			v.GoVersion, _ = version.ReadHeader(bytes.NewReader(data))
			if v.GoVersion < version.Go122 {
				v.GoVersion = version.Go121
			}
		}
	}
	n := 0
	for {
		stage = "reader"
		ev, err := r.ReadEvent()
		if err == io.EOF {
			return "ok", fmt.Sprint(n)
		}
		if err != nil {
			return "reader", err.Error()
		}
		n++
		if v != nil {
			stage = "validator"
			if err := v.Event(ev); err != nil {
				return "validator", err.Error()
			}
		}
	}
}

func readCmd(args []string) error {
	fs := flag.NewFlagSet("read", flag.ExitOnError)
	validate := fs.Bool("validate", false, "also run the test validator")
	fs.Parse(args)
	if fs.NArg() != 1 {
		usage()
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	hdr, err := br.Peek(16)
	if err != nil {
		return err
	}
	r, err := trace.NewReader(br)
	if err != nil {
		return err
	}
	var v *testtrace.Validator
	if *validate {
		v = testtrace.NewValidator()
		v.GoVersion, _ = version.ReadHeader(bytes.NewReader(hdr))
		if v.GoVersion < version.Go122 {
			v.GoVersion = version.Go121
		}
	}
	n := 0
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		n++
		if v != nil {
			if err := v.Event(ev); err != nil {
				return err
			}
		}
	}
	fmt.Println(n)
	return nil
}

func parsed(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := trace.NewReader(bufio.NewReader(f))
	if err != nil {
		return err
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(out, ev.String())
	}
}

// eventReader and eventWriter are what raw's binary and text readers and
// writers have in common.
type eventReader interface {
	Version() version.Version
	ReadEvent() (raw.Event, error)
}

type eventWriter interface {
	WriteEvent(raw.Event) error
}

func bytes2text(in io.Reader, out io.Writer) error {
	r, err := raw.NewReader(in)
	if err != nil {
		return err
	}
	return convert(r, out, func(w io.Writer, v version.Version) (eventWriter, error) { return raw.NewTextWriter(w, v) })
}

func text2bytes(in io.Reader, out io.Writer) error {
	r, err := raw.NewTextReader(in)
	if err != nil {
		return err
	}
	return convert(r, out, func(w io.Writer, v version.Version) (eventWriter, error) { return raw.NewWriter(w, v) })
}

// convert copies every event of r to a writer of r's version on out.
func convert(r eventReader, out io.Writer, newWriter func(io.Writer, version.Version) (eventWriter, error)) error {
	bw := bufio.NewWriter(out)
	defer bw.Flush()
	w, err := newWriter(bw, r.Version())
	if err != nil {
		return err
	}
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := w.WriteEvent(ev); err != nil {
			return err
		}
	}
}
