// Command capturebench measures Go's own runtime tracer on the events the
// capture layer's benchmark records (bench/capture.sh): trace.Log and
// trace.WithRegion in a loop from 1 and 2 goroutines, called at the loop's
// depth and 16 frames deeper, tracing on (to io.Discard) and off. The cost
// per event is (on - off) / events. Go records a stack with every one of
// these events; it cannot be turned off.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

var n = flag.Int("n", 2000000, "operations per goroutine")
var runs = flag.Int("r", 3, "runs (best is kept)")

//go:noinline
func loop(ctx context.Context, kind int) {
	if kind == 0 {
		for i := 0; i < *n; i++ {
			trace.Log(ctx, "bench", "message")
		}
		return
	}
	for i := 0; i < *n; i++ {
		trace.WithRegion(ctx, "region", func() {})
	}
}

//go:noinline
func deep(ctx context.Context, kind, d int) {
	if d > 0 {
		deep(ctx, kind, d-1)
		return
	}
	loop(ctx, kind)
}

func run(goroutines, kind, depth int, on bool) time.Duration {
	if on {
		if err := trace.Start(io.Discard); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	t0 := time.Now()
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			deep(ctx, kind, depth)
		}()
	}
	wg.Wait()
	d := time.Since(t0)
	if on {
		trace.Stop()
	}
	return d
}

func best(goroutines, kind, depth int, on bool) time.Duration {
	b := time.Duration(1 << 62)
	for r := 0; r < *runs; r++ {
		if d := run(goroutines, kind, depth, on); d < b {
			b = d
		}
	}
	return b
}

func main() {
	flag.Parse()
	runtime.GOMAXPROCS(2)
	kinds := []string{"trace.Log", "trace.WithRegion (2 ev)"}
	fmt.Printf("%-28s %7s %5s %10s %10s %12s\n", "Go "+runtime.Version()+", per event", "gorout.", "depth", "ns/event", "(off)", "events/s")
	for kind := 0; kind < 2; kind++ {
		for _, depth := range []int{0, 16} {
			for g := 1; g <= 2; g++ {
				on, off := best(g, kind, depth, true), best(g, kind, depth, false)
				events := float64(*n)
				if kind == 1 {
					events *= 2
				}
				per := float64(on-off) / events
				fmt.Printf("%-28s %7d %5d %10.1f %10.1f %12.0f\n", kinds[kind], g, depth, per,
					float64(off)/events, events*float64(g)/on.Seconds())
			}
		}
	}
}
