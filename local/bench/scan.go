package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zmed/exam-manager/local/lambdarun"
	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/document/qrscan"
	"github.com/zmed/exam-manager/shared/testsupport/scantest"
)

// scanChildEnv names the scan a child bench process reads: each scan runs in
// a process of its own, so that its peak resident memory is the scan's, as
// Lambda's "Max Memory Used" would be.
const scanChildEnv = "ZMED_BENCH_SCAN"

const scanRuns = 7

// scanReport measures finding the two QR codes on scans of an A4 result
// page: time per scan (the reader only, no S3) and the process's peak
// memory.
func scanReport(ctx context.Context, work string) error {
	page300 := scantest.Scanned(scantest.RenderPage(300, scantest.ResultCodes), 181.5, 1)
	cases := []struct {
		name string
		img  image.Image
	}{
		{"300 dpi A4, grey JPEG q75, upside down and 1.5° off", page300},
		{"600 dpi A4, colour JPEG q75 (35 MP)", colour600()},
	}
	idle, err := childRSS(ctx, "idle")
	if err != nil {
		return err
	}
	fmt.Printf("| scan | JPEG KB | p50 ms | min ms | max ms | peak RSS MiB | Go heap allocated per scan MiB |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	fmt.Printf("| none (the bench process idle) | | | | | %.0f | |\n", idle)
	for i, c := range cases {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, c.img, &jpeg.Options{Quality: 75}); err != nil {
			return err
		}
		file := filepath.Join(work, fmt.Sprintf("scan%d.jpg", i))
		if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
			return err
		}
		out, rss, err := runChild(ctx, file)
		if err != nil {
			return fmt.Errorf("scan %s: %w", c.name, err)
		}
		f := strings.Fields(out)
		if len(f) != scanRuns+1 {
			return fmt.Errorf("scan %s: %q", c.name, out)
		}
		ms := make([]float64, scanRuns)
		for i := range ms {
			if ms[i], err = strconv.ParseFloat(f[i], 64); err != nil {
				return err
			}
		}
		slices.Sort(ms)
		fmt.Printf("| %s | %d | %.0f | %.0f | %.0f | %.0f | %s |\n", c.name, b.Len()>>10, ms[scanRuns/2], ms[0], ms[scanRuns-1], rss, f[scanRuns])
	}
	fmt.Println("\nThe reader alone, in a process of its own; p50 over", scanRuns, "scans of the same image. A scan is the JPEG decoded, averaged down to at most 3600 px on its long side, and read by gozxing trying harder.")
	return nil
}

// runChild runs this program as a scan child and returns its output and
// its peak resident memory in MiB. The child reads its own high-water mark
// (VmHWM): the parent's rusage would count the parent's memory at fork.
func runChild(ctx context.Context, file string) (string, float64, error) {
	return runChildWith(ctx, scanChildEnv+"="+file)
}

// runChildWith runs this program with the variable env (NAME=value) that
// makes it a child, and returns the child's output and peak resident memory.
func runChildWith(ctx context.Context, env string) (string, float64, error) {
	self, err := os.Executable()
	if err != nil {
		return "", 0, err
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), env)
	out, err := cmd.Output()
	if err != nil {
		return "", 0, err
	}
	text, hwm, ok := strings.Cut(strings.TrimSpace(string(out)), "VmHWM")
	if !ok {
		return "", 0, fmt.Errorf("no VmHWM in %q", out)
	}
	kib, err := strconv.ParseFloat(strings.TrimSpace(hwm), 64)
	return text, kib / 1024, err
}

func childRSS(ctx context.Context, file string) (float64, error) {
	_, rss, err := runChild(ctx, file)
	return rss, err
}

// printHighWater prints the process's peak resident memory in KiB.
func printHighWater() {
	kb, err := lambdarun.PeakMemoryKB(os.Getpid())
	if err != nil {
		fail(err)
	}
	fmt.Printf(" VmHWM %d\n", kb)
}

// colour600 is the result page at 600 dpi in colour as a scanner's JPEG
// holds it: luminance, and chroma for a quarter of the pixels.
func colour600() image.Image {
	page := scantest.Scanned(scantest.RenderPage(600, scantest.ResultCodes), 1, 2)
	c := image.NewYCbCr(page.Bounds(), image.YCbCrSubsampleRatio420)
	copy(c.Y, page.Pix)
	for i := range c.Cb {
		c.Cb[i], c.Cr[i] = 120, 132
	}
	return c
}

// scanChild scans the file scanRuns times and prints each time in ms, then
// the Go heap allocated per scan in MiB; it fails unless both codes are found.
func scanChild(file string) {
	defer printHighWater()
	if file == "idle" {
		return
	}
	b, err := os.ReadFile(file)
	if err != nil {
		fail(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range scanRuns {
		start := time.Now()
		codes, err := qrscan.Scanner{}.ImageCodes(context.Background(), b, document.DefaultLimits)
		if err != nil {
			fail(err)
		}
		if !slices.Contains(codes, scantest.ExamToken) || !slices.Contains(codes, scantest.ResultToken) {
			fail(fmt.Errorf("codes not found: %d codes", len(codes)))
		}
		fmt.Printf("%.1f ", float64(time.Since(start).Microseconds())/1000)
	}
	runtime.ReadMemStats(&after)
	fmt.Printf("%.0f", float64(after.TotalAlloc-before.TotalAlloc)/scanRuns/(1<<20))
}
