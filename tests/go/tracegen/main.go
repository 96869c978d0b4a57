// Command tracegen writes a Go execution trace of a small, fixed workload.
//
// It is the source of the "real" traces the gotrace tests decode: built with
// each installed Go toolchain (1.19, 1.21, 1.22, 1.23) it produces a trace in
// that toolchain's wire format. The workload touches every part of the tracer
// the tests want to see on the wire: goroutine creation and blocking on
// channels (buffered, unbuffered, select), sync.Mutex and sync.WaitGroup,
// blocking system calls (a temporary file, an os.Pipe), garbage collection and
// heap growth, timers (time.Sleep, time.After, time.Ticker), user annotations
// (tasks, regions, logs) and CPU profile samples.
//
// Usage:
//
//	tracegen -o FILE [-mb N]
//
// Without -mb the workload runs twice, the second time after the runtime's
// one-second generation boundary (about 1.2 s in all, under 300 KB of
// trace). With -mb N the light part of the workload is then repeated until the
// trace file holds at least N MiB.
//
// The program uses only the standard library and language features of Go 1.19
// so that one source builds with every toolchain the tests use.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

func main() {
	out := flag.String("o", "", "write the trace to `FILE` (required)")
	mb := flag.Int("mb", 0, "then repeat the workload until the trace reaches `N` MiB (0: just two rounds)")
	flag.Parse()
	if *out == "" || flag.NArg() != 0 || *mb < 0 {
		flag.Usage()
		os.Exit(2)
	}
	log.SetFlags(0)
	log.SetPrefix("tracegen: ")

	// A fixed P count keeps the shape of the trace independent of the machine.
	runtime.GOMAXPROCS(4)

	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	// CPU samples are only recorded in the execution trace while the CPU
	// profiler runs too; the profile itself is thrown away.
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	start := time.Now()
	round(ctx, 0, true)
	// Go 1.22+ starts a new trace generation about once a second. Waiting
	// past that point before the second round gives the default trace at
	// least two generations, so generation boundaries get tested too.
	if d := genPeriod - time.Since(start); d > 0 {
		time.Sleep(d)
	}
	round(ctx, 1, false)
	if *mb > 0 {
		limit := int64(*mb) << 20
		for i := 2; fileSize(f) < limit; i++ {
			round(ctx, i, false)
		}
	}

	pprof.StopCPUProfile()
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// genPeriod is a little more than the runtime's generation length (1 s).
const genPeriod = 1100 * time.Millisecond

func fileSize(f *os.File) int64 {
	st, err := f.Stat()
	if err != nil {
		log.Fatal(err)
	}
	return st.Size()
}

// round runs every part of the workload once, inside one user task. The CPU
// burner only runs when full is set (it costs wall-clock time, not events).
func round(ctx context.Context, n int, full bool) {
	ctx, task := trace.NewTask(ctx, "round")
	defer task.End()
	trace.Logf(ctx, "round", "start %d", n)

	stage(ctx, "channels", channels)
	stage(ctx, "select", selects)
	stage(ctx, "mutex", mutexes)
	stage(ctx, "files", files)
	stage(ctx, "pipe", pipes)
	stage(ctx, "alloc", allocs)
	stage(ctx, "timers", timers)
	if full {
		stage(ctx, "cpu", burn)
	}
	trace.Log(ctx, "round", "done")
}

// stage runs fn in a region of its own and logs its name, alternating between
// the two region APIs so both appear in the trace.
func stage(ctx context.Context, name string, fn func(context.Context)) {
	trace.Log(ctx, "stage", name)
	if len(name)%2 == 0 {
		trace.WithRegion(ctx, name, func() { fn(ctx) })
		return
	}
	r := trace.StartRegion(ctx, name)
	fn(ctx)
	r.End()
}

// channels: a pipeline of goroutines joined by unbuffered channels, plus a
// fan-in over a buffered channel.
func channels(ctx context.Context) {
	const stages, items = 16, 64
	first := make(chan int)
	in := first
	for i := 0; i < stages; i++ {
		next := make(chan int)
		go func(in <-chan int, out chan<- int) {
			for v := range in {
				out <- v + 1
			}
			close(out)
		}(in, next)
		in = next
	}
	go func() {
		for i := 0; i < items; i++ {
			first <- i
		}
		close(first)
	}()
	sum := 0
	for v := range in {
		sum += v
	}

	const workers = 32
	results := make(chan int, 8)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 16; i++ {
				results <- w*i + sum%7
			}
		}(w)
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	total := 0
	for v := range results {
		total += v
	}
	trace.Logf(ctx, "channels", "sum=%d total=%d", sum, total)
}

// selects: goroutines choosing between several channels, a quit channel,
// a timeout and a default case.
func selects(ctx context.Context) {
	a, b := make(chan int), make(chan int, 4)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	got := make([]int, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for {
				select {
				case v := <-a:
					got[i] += v
				case v := <-b:
					got[i] += 2 * v
				case <-quit:
					return
				case <-time.After(50 * time.Millisecond):
					got[i]-- // idle for a while; keep waiting for quit
				}
			}
		}(i)
	}
	for i := 0; i < 200; i++ {
		if i%3 == 0 {
			b <- i
		} else {
			a <- i
		}
	}
	misses := 0
	for i := 0; i < 50; i++ {
		select {
		case a <- i:
		default:
			misses++
			runtime.Gosched()
		}
	}
	close(quit)
	wg.Wait()
	trace.Logf(ctx, "select", "misses=%d", misses)
}

// mutexes: contended sync.Mutex and a sync.Cond hand-off.
func mutexes(ctx context.Context) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	counter := 0
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				mu.Lock()
				counter++
				if j%50 == 0 {
					runtime.Gosched() // hold the lock across a reschedule
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	cond := sync.NewCond(&mu)
	ready := false
	done := make(chan struct{})
	for i := 0; i < 4; i++ {
		go func() {
			mu.Lock()
			for !ready {
				cond.Wait()
			}
			mu.Unlock()
			done <- struct{}{}
		}()
	}
	time.Sleep(time.Millisecond)
	mu.Lock()
	ready = true
	cond.Broadcast()
	mu.Unlock()
	for i := 0; i < 4; i++ {
		<-done
	}
	trace.Logf(ctx, "mutex", "counter=%d", counter)
}

// files: blocking system calls on a temporary regular file.
func files(ctx context.Context) {
	f, err := os.CreateTemp("", "tracegen-*")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	block := make([]byte, 4096)
	for i := range block {
		block[i] = byte(i * 7)
	}
	for i := 0; i < 32; i++ {
		if _, err := f.Write(block); err != nil {
			log.Fatal(err)
		}
	}
	if err := f.Sync(); err != nil {
		log.Fatal(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		log.Fatal(err)
	}
	n, err := io.Copy(io.Discard, f)
	if err != nil {
		log.Fatal(err)
	}
	trace.Logf(ctx, "files", "read %d bytes", n)
}

// pipes: a writer and a reader goroutine on an os.Pipe.
func pipes(ctx context.Context) {
	r, w, err := os.Pipe()
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		msg := []byte("ping through the pipe\n")
		for i := 0; i < 64; i++ {
			if _, err := w.Write(msg); err != nil {
				log.Fatal(err)
			}
			if i%16 == 0 {
				time.Sleep(200 * time.Microsecond)
			}
		}
		w.Close()
	}()
	n, err := io.Copy(io.Discard, r)
	if err != nil {
		log.Fatal(err)
	}
	r.Close()
	trace.Logf(ctx, "pipe", "read %d bytes", n)
}

// sink keeps some allocations alive so the heap actually grows.
var sink [64][]byte

// allocs: allocation churn on several goroutines and an explicit GC.
func allocs(ctx context.Context) {
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 1500; i++ {
				b := make([]byte, 64+(i%32)*32)
				b[0] = byte(i)
				if i%100 == 0 {
					sink[(g*16+i/100)%len(sink)] = b
				}
			}
		}(g)
	}
	wg.Wait()
	// runtime.GC ends by calling Gosched in a loop until every concurrent
	// sweeper is done; when the background sweeper's thread is descheduled
	// that loop writes tens of thousands of GoStop/GoStart events. With a
	// single P the sweeper runs on the yielding goroutine's P and finishes at
	// once, which keeps the trace small and its size stable.
	prev := runtime.GOMAXPROCS(1)
	runtime.GC()
	runtime.GOMAXPROCS(prev)
	trace.Log(ctx, "alloc", "gc done")
}

// timers: sleeps, a one-shot timer channel and a ticker.
func timers(ctx context.Context) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			time.Sleep(time.Duration(i%4+1) * 100 * time.Microsecond)
		}(i)
	}
	wg.Wait()
	<-time.After(time.Millisecond)
	t := time.NewTicker(500 * time.Microsecond)
	ticks := 0
	for ticks < 5 {
		<-t.C
		ticks++
	}
	t.Stop()
	trace.Logf(ctx, "timers", "ticks=%d", ticks)
}

// burn keeps two goroutines busy until the process has used about 200 ms
// more CPU time (at most two seconds of wall time), so the CPU profiler takes
// samples that land in the trace even when the machine is busy.
func burn(ctx context.Context) {
	const budget = 200 * time.Millisecond
	start, wallEnd := cpuTime(), time.Now().Add(2*time.Second)
	var wg sync.WaitGroup
	results := make([]uint64, 2)
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			x := uint64(i + 1)
			for cpuTime()-start < budget && time.Now().Before(wallEnd) {
				for j := 0; j < 20000; j++ {
					x ^= x << 13
					x ^= x >> 7
					x ^= x << 17
				}
			}
			results[i] = x
		}(i)
	}
	wg.Wait()
	trace.Log(ctx, "cpu", fmt.Sprint(results[0]^results[1]))
}

// cpuTime returns the user+system CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
