package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// goBenchmarks runs the handler benchmarks and prints them as a table.
func goBenchmarks(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", ".", "-benchmem", "-benchtime", "1s",
		"./shared/httpapi", "./shared/resultfiling")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go test -bench: %w\n%s", err, out)
	}
	fmt.Printf("| benchmark | ns/op | B/op | allocs/op |\n| --- | ---: | ---: | ---: |\n")
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i]
		}
		fmt.Printf("| %s | %s | %s | %s |\n", name, f[2], f[4], f[6])
	}
	return nil
}
