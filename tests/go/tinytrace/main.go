// tinytrace writes the smallest realistic execution trace: one goroutine
// handing a value to another over a channel, one user log, then stop. Its
// traces are a few KB, small enough to truncate at every byte offset in the
// robustness tests.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"runtime/trace"
)

func main() {
	out := flag.String("o", "", "write the trace to `FILE`")
	flag.Parse()
	if *out == "" {
		log.Fatal("usage: tinytrace -o FILE")
	}
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	ch := make(chan int)
	go func() { ch <- 42 }()
	trace.Log(context.Background(), "tiny", "hello")
	<-ch
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
