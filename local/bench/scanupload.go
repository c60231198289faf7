package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/zmed/exam-manager/shared/testsupport/scantest"
)

// scanUploadChildEnv makes this program a child that uploads that many
// scans to a local stack of its own: its peak resident memory is the stack's
// and the processing's, as Lambda's "Max Memory Used" would be the
// function's. 0 starts the stack and uploads nothing (the baseline).
const scanUploadChildEnv = "ZMED_BENCH_SCAN_UPLOADS"

const scanUploads = 7

// scanUploadReport measures a 300 dpi A4 JPEG scan (grey, upside down and
// 1.5° off, speckled, quality 75, the exam token and the result token as QR
// codes) from its upload, without metadata, to the exam Finished on the
// local stack with process-result's scanner; and the peak memory of the
// process doing it, beside the same process with the stack idle.
func scanUploadReport(ctx context.Context) error {
	_, idle, err := runChildWith(ctx, scanUploadChildEnv+"=0")
	if err != nil {
		return err
	}
	out, peak, err := runChildWith(ctx, scanUploadChildEnv+"="+strconv.Itoa(scanUploads))
	if err != nil {
		return err
	}
	f := strings.Fields(out)
	if len(f) != scanUploads {
		return fmt.Errorf("scan uploads: %q", out)
	}
	fmt.Printf("| document | results | p50 | min | max | peak RSS MiB (stack idle) | budget p50 ≤ 1.5 s, peak ≤ 256 MB |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |\n")
	p50, _ := strconv.ParseFloat(f[scanUploads/2], 64)
	fmt.Printf("| 300 dpi A4 grey JPEG scan q75, upside down and 1.5° off, tokens as QR codes | %d | %s ms | %s ms | %s ms | %.0f (%.0f) | %s |\n",
		scanUploads, f[scanUploads/2], f[0], f[scanUploads-1], peak, idle, verdict(p50 <= 1500 && peak*(1<<20) <= 256e6))
	fmt.Printf("\nUpload (S3 PutObject on the local endpoint, no metadata) to Finished: the body read, its type sniffed, no PDF dictionary, the JPEG decoded and its QR codes read, the exam finished. One process holds the local stack and does the processing; its peak includes the stack's own memory (the idle figure) and the making of the scans before the first upload (smaller than their processing): an upper bound of the processing's.\n")
	return nil
}

// scanUploadChild uploads n scans to a local stack of its own and prints
// each upload → Finished in ms (sorted), then its peak resident memory.
func scanUploadChild(arg string) {
	defer printHighWater()
	n, err := strconv.Atoi(arg)
	if err != nil {
		fail(err)
	}
	work, err := os.MkdirTemp("", "zmed-bench-scan-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(work)
	lat, err := toFinished(context.Background(), work, "scans", n, ".jpg", func(examToken, resultToken string) []byte {
		page := scantest.Scanned(scantest.RenderPage(300, scantest.Codes(examToken, resultToken)), 181.5, 1)
		return scantest.JPEG(page, 75)
	})
	if err != nil {
		fail(err)
	}
	for _, d := range lat {
		fmt.Printf("%.0f ", float64(d)/float64(time.Millisecond))
	}
}
