package pdfinfo_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/document/pdfinfo"
	"github.com/zmed/exam-manager/shared/testsupport/pdfs"
)

// BenchmarkPeakMemory measures the peak resident memory (VmHWM) of a fresh
// process that reads one document of the largest allowed size into memory,
// as process-result does, then its information dictionary: the figures
// process-result's memory size is chosen from (docs/results.md). Figures,
// not assertions; Linux only.
func BenchmarkPeakMemory(b *testing.B) {
	if doc := os.Getenv("ZMED_PEAK_MEMORY_CHILD"); doc != "" {
		peakMemoryChild(doc, os.Getenv("ZMED_PEAK_MEMORY_PARSE") == "1")
		return
	}
	limit := int(document.DefaultLimits.MaxBytes)
	padded := func(extra func(room int) []string) []byte {
		pdf := pdfs.WriteObjects(1, extra(limit-4096), tokenEntries...)
		return pdf
	}
	small := func(int) []string { return nulls(pdfinfo.MaxObjects - 10) }
	docs := map[string][]byte{
		"one 50 MiB stream":        padded(func(room int) []string { return []string{pdfs.Stream(room - 100)} }),
		"the most objects allowed": padded(small),
		"50 streams of 1 MiB": padded(func(room int) []string {
			s := make([]string, 49)
			for i := range s {
				s[i] = pdfs.Stream(1 << 20)
			}
			return s
		}),
	}
	dir := b.TempDir()
	for name, pdf := range docs {
		file := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".pdf")
		if err := os.WriteFile(file, pdf, 0o600); err != nil {
			b.Fatal(err)
		}
		for _, parse := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/parse=%v", name, parse), func(b *testing.B) {
				for range b.N {
					cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^BenchmarkPeakMemory$", "-test.benchtime=1x")
					cmd.Env = append(os.Environ(), "ZMED_PEAK_MEMORY_CHILD="+file, "ZMED_PEAK_MEMORY_PARSE="+map[bool]string{true: "1"}[parse])
					out, err := cmd.CombinedOutput()
					if err != nil {
						b.Fatalf("child: %v\n%s", err, out)
					}
					i := bytes.Index(out, []byte("VmHWM-kB="))
					if i < 0 {
						b.Fatalf("child said:\n%s", out)
					}
					fields := strings.Fields(string(out[i+len("VmHWM-kB="):]))
					kb, _ := strconv.Atoi(fields[0])
					b.ReportMetric(float64(kb)/1024, "peak-MB")
					b.ReportMetric(float64(len(pdf))/(1<<20), "doc-MiB")
				}
			})
		}
	}
}

// peakMemoryChild reads the document at path into a slice of its exact size
// (as s3results does with the object's Content-Length), reads its information
// dictionary when parse, and prints its peak resident memory.
func peakMemoryChild(path string, parse bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	if parse {
		info, err := pdfinfo.Read(context.Background(), data)
		fmt.Fprintf(os.Stderr, "tokens %v, pages %d, err %v\n", info.ExamToken != "", info.Pages, err)
	}
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			fmt.Printf("VmHWM-kB=%s\n", strings.Fields(line)[1])
		}
	}
	os.Exit(0)
}
