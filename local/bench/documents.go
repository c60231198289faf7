package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/pdfs"
	"github.com/zmed/exam-manager/shared/token"
)

// documentLatency uploads n born-digital PDFs whose tokens are in their
// information dictionary (no metadata), one at a time, on the local stack, and
// reports upload → Finished.
func documentLatency(ctx context.Context, work string, n int) error {
	lat, err := toFinished(ctx, work, "documents", n, ".pdf", func(examToken, resultToken string) []byte {
		return pdfs.Write(2, "/ZMEDExamToken ("+examToken+")", "/ZMEDResultToken ("+resultToken+")")
	})
	if err != nil {
		return err
	}
	p := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	fmt.Printf("Upload (S3 PutObject on the local endpoint, no metadata) to Finished, the tokens read from the PDF's information dictionary.\n\n")
	fmt.Printf("| document | results | p50 | p95 | max | budget p50 ≤ 100 ms |\n| --- | ---: | ---: | ---: | ---: | --- |\n")
	fmt.Printf("| born-digital PDF, tokens in its information dictionary | %d | %s | %s | %s | %s |\n", len(lat), ms(p(0.5)), ms(p(0.95)), ms(lat[len(lat)-1]), verdict(p(0.5) <= 100*time.Millisecond))
	return nil
}

// toFinished starts a local stack and, n times, starts an exam, uploads the
// document build makes with its tokens (no metadata) and waits for the exam
// to be Finished; it returns the latencies, upload to Finished, sorted. The
// documents are all built before the first upload, so that building them is
// neither timed nor part of the processing's memory.
func toFinished(ctx context.Context, work, name string, n int, ext string, build func(examToken, resultToken string) []byte) ([]time.Duration, error) {
	st, cfg, err := startStack(ctx, work, name, nil)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	call := stackCaller(ctx, st, cfg)
	ids, docs := make([]string, n), make([][]byte, n)
	for i := range n {
		body, err := call("register-exam", `{"document":"52998224725","exam_type":2}`, nil)
		if err != nil {
			return nil, err
		}
		ids[i] = field(body, "exam_id")
		if body, err = call("start-exam", `{"document":"52998224725","exam_id":"`+ids[i]+`","exam_type":2}`, nil); err != nil {
			return nil, err
		}
		result, _ := token.MintResultToken(cfg.ResultKey, ids[i], time.Now(), time.Hour)
		docs[i] = build(field(body, "exam_token"), result)
	}
	runtime.GC()
	debug.FreeOSMemory()
	var lat []time.Duration
	for i, id := range ids {
		uploaded := time.Now()
		if err := stack.Upload(ctx, st.S3Client(), cfg.Bucket, stack.ResultKey(cfg.Folders.Completed, id, ext, time.Now()), "application/octet-stream", docs[i], "", ""); err != nil {
			return nil, err
		}
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(500 * time.Microsecond) {
			e, err := st.Store.Get(ctx, id)
			if err != nil {
				return nil, err
			}
			if e.Status == exam.StatusFinished {
				lat = append(lat, e.FinishedAt.Sub(uploaded))
				break
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("exam %s not finished within 30s: %+v", id, e)
			}
		}
	}
	slices.Sort(lat)
	return lat, nil
}
