// Command testsummary reads `go test -json` on standard input and prints what
// a person needs from one run: the output of each failed test (and of a
// package that failed outside its tests, or did not build), a line per
// package as it finishes, a line per contract suite and backend, and a
// closing count. It
// exits 1 when anything failed, so that `make unit` runs every test once,
// prints the summary of that run and still fails.
//
//	go test -json ./... | go run ./local/testsummary
package main

import (
	"fmt"
	"os"
)

func main() {
	s, err := read(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(2)
	}
	s.print(os.Stdout)
	if !s.ok() {
		os.Exit(1)
	}
}
