package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// build compiles pkg with the release flags for goarch.
func build(ctx context.Context, pkg, out, goarch string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build %s: %w\n%s", pkg, err, msg)
	}
	return nil
}

func sizes(ctx context.Context, work string) error {
	fns, err := functions()
	if err != nil {
		return err
	}
	ref := filepath.Join(work, "arm64", "minimal")
	if err := build(ctx, "./local/bench/minimal", ref, "arm64"); err != nil {
		return err
	}
	refInfo, err := os.Stat(ref)
	if err != nil {
		return err
	}
	fmt.Printf("| function | bytes | MiB | ratio to minimal | budget 1.5 |\n| --- | ---: | ---: | ---: | --- |\n")
	fmt.Printf("| minimal aws-lambda-go | %d | %.2f | 1.00 | |\n", refInfo.Size(), mib(refInfo.Size()))
	for _, fn := range fns {
		out := filepath.Join(work, "arm64", fn)
		if err := build(ctx, "./functions/"+fn, out, "arm64"); err != nil {
			return err
		}
		info, err := os.Stat(out)
		if err != nil {
			return err
		}
		ratio := float64(info.Size()) / float64(refInfo.Size())
		fmt.Printf("| %s | %d | %.2f | %.2f | %s |\n", fn, info.Size(), mib(info.Size()), ratio, verdict(ratio <= 1.5))
	}
	return nil
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}
