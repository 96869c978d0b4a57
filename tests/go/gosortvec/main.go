// Command gosortvec prints the permutation Go's own sort.Sort makes of a
// pseudo-random slice with many equal keys: the reference vectors of
// tests/unit/test_gosort.c (built with Go 1.21 and with Go 1.27, whose
// pattern-breaking xorshift differs).
//
//	gosortvec N SEED
//
// Keys are (x>>60)%5 of the LCG x = x*6364136223846793005 + 1442695040888963407
// started at SEED; the output is the original index of each element after
// sorting, space separated.
package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
)

type kv struct{ k, id int }
type byK []kv

func (s byK) Len() int           { return len(s) }
func (s byK) Less(i, j int) bool { return s[i].k < s[j].k }
func (s byK) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	seed, _ := strconv.Atoi(os.Args[2])
	x := uint64(seed)
	s := make(byK, n)
	for i := range s {
		x = x*6364136223846793005 + 1442695040888963407
		s[i] = kv{int(x>>60) % 5, i}
	}
	sort.Sort(s)
	for _, e := range s {
		fmt.Print(e.id, " ")
	}
	fmt.Println()
}
