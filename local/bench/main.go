// Command bench measures what a Lambda system's speed and cost come from and
// prints one report (`make bench`): binary sizes and cold starts against a
// minimal aws-lambda-go function built and run the same way in the same run,
// Go benchmarks of the handlers, AWS and patient-manager calls per operation,
// and the local stack's upload → notified latency and throughput.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/zmed/exam-manager/shared/logging"
)

func main() {
	if file := os.Getenv(scanChildEnv); file != "" {
		scanChild(file)
		return
	}
	if n := os.Getenv(scanUploadChildEnv); n != "" {
		scanUploadChild(n)
		return
	}
	rie := flag.String("rie", ".tools/bin/aws-lambda-rie", "the aws-lambda-rie binary")
	runs := flag.Int("cold-starts", 20, "cold starts per function")
	results := flag.Int("results", 500, "results uploaded one at a time, and again 16 at a time, on the local stack")
	pageLoads := flag.Int("page-loads", 10, "console page loads in headless Chromium")
	documents := flag.Int("documents", 50, "PDFs with their tokens in the information dictionary, uploaded one at a time")
	only := flag.Int("only", 0, "run only this section (1 to 10); 0 runs them all")
	flag.Parse()
	// The stack and the handlers log as in production, to nowhere: the report is the output.
	slog.SetDefault(logging.New(io.Discard, slog.LevelError))

	work, err := os.MkdirTemp("", "zmed-bench-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(work)
	ctx := context.Background()

	host, _ := os.Hostname()
	cpu := cpuModel()
	fmt.Printf("# ZMED exam manager: performance report\n\n%s, %s/%s, %d cores (%s), %s, %s\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpu, runtime.Version(), host)

	steps := []struct {
		title string
		run   func() error
	}{
		{"1. Binary size (linux/arm64, release flags)", func() error { return sizes(ctx, work) }},
		{"2. Cold start under the runtime interface emulator (this host's architecture)", func() error { return coldStarts(ctx, work, *rie, *runs) }},
		{"3. Handler benchmarks (in-memory adapters)", func() error { return goBenchmarks(ctx) }},
		{"4. Calls per operation", func() error { return callCounts(ctx, work) }},
		{"5. Local stack: upload → notified", func() error { return latency(ctx, work, *results) }},
		{"6. The attendants' console", func() error { return consoleReport(ctx, work, *pageLoads) }},
		{"7. Local stack: a result document → Finished", func() error { return documentLatency(ctx, work, *documents) }},
		{"8. Results on paper: QR codes on a scanned page", func() error { return scanReport(ctx, work) }},
		{"9. Local stack: a 300 dpi A4 JPEG scan → Finished", func() error { return scanUploadReport(ctx) }},
		{"10. Memory sizes and bytes of log: the figures of make cost", func() error { return costFigures(ctx, work, *rie) }},
	}
	for i, s := range steps {
		if *only != 0 && *only != i+1 {
			continue
		}
		fmt.Printf("## %s\n\n", s.title)
		if err := s.run(); err != nil {
			fail(fmt.Errorf("%s: %w", s.title, err))
		}
		fmt.Println()
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func cpuModel() string {
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
		}
	}
	return "unknown CPU"
}

// functions lists the folders of functions/.
func functions() ([]string, error) {
	entries, err := os.ReadDir("functions")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}
