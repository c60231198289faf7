package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/token"
)

type started struct {
	id, examToken, resultToken string
	uploaded                   time.Time
}

// latency uploads n results one at a time, then n more from 16 uploaders at
// once, on the local stack (the S3 event path, the real adapters), and checks
// that every exam ended Finished, every object moved and one message each.
func latency(ctx context.Context, work string, n int) error {
	st, cfg, err := startStack(ctx, work, "latency", nil)
	if err != nil {
		return err
	}
	defer st.Close()
	call := stackCaller(ctx, st, cfg)
	s3c := st.S3Client()

	prepare := func(count int) ([]*started, error) {
		out := make([]*started, count)
		for i := range out {
			examType := strconv.Itoa(1 + i%10)
			body, err := call("register-exam", `{"document":"52998224725","exam_type":`+examType+`}`, nil)
			if err != nil {
				return nil, err
			}
			id := field(body, "exam_id")
			if body, err = call("start-exam", `{"document":"52998224725","exam_id":"`+id+`","exam_type":`+examType+`}`, nil); err != nil {
				return nil, err
			}
			result, _ := token.MintResultToken(cfg.ResultKey, id, time.Now(), time.Hour)
			out[i] = &started{id: id, examToken: field(body, "exam_token"), resultToken: result}
		}
		return out, nil
	}
	upload := func(s *started) error {
		s.uploaded = time.Now()
		return stack.Upload(ctx, s3c, cfg.Bucket, stack.ResultKey(cfg.Folders.Completed, s.id, ".pdf", time.Now()),
			"application/pdf", []byte("%PDF-1.4 result"), s.examToken, s.resultToken)
	}
	// notifiedAt waits for the exam's notification and returns when it was recorded.
	notifiedAt := func(s *started) (time.Time, error) {
		deadline := time.Now().Add(30 * time.Second)
		for {
			e, err := st.Store.Get(ctx, s.id)
			if err != nil {
				return time.Time{}, err
			}
			if e.Status == exam.StatusFinished && e.Notification.Status == exam.NotificationSent {
				return e.Notification.At, nil
			}
			if time.Now().After(deadline) {
				return time.Time{}, fmt.Errorf("exam %s not notified within 30s: %+v", s.id, e)
			}
			time.Sleep(500 * time.Microsecond)
		}
	}

	// One at a time.
	seq, err := prepare(n)
	if err != nil {
		return err
	}
	var lat []time.Duration
	for _, s := range seq {
		if err := upload(s); err != nil {
			return err
		}
		at, err := notifiedAt(s)
		if err != nil {
			return err
		}
		lat = append(lat, at.Sub(s.uploaded))
	}

	// 16 at a time.
	conc, err := prepare(n)
	if err != nil {
		return err
	}
	work16 := make(chan *started)
	var wg sync.WaitGroup
	var uploadErr error
	var mu sync.Mutex
	began := time.Now()
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range work16 {
				if err := upload(s); err != nil {
					mu.Lock()
					uploadErr = err
					mu.Unlock()
				}
			}
		}()
	}
	for _, s := range conc {
		work16 <- s
	}
	close(work16)
	wg.Wait()
	if uploadErr != nil {
		return uploadErr
	}
	var last time.Time
	var lat16 []time.Duration
	for _, s := range conc {
		at, err := notifiedAt(s)
		if err != nil {
			return err
		}
		lat16 = append(lat16, at.Sub(s.uploaded))
		if at.After(last) {
			last = at
		}
	}
	elapsed := last.Sub(began)

	if err := verify(ctx, s3c, cfg, append(seq, conc...)); err != nil {
		return err
	}
	fmt.Printf("Upload (S3 PutObject on the local endpoint) to the notification recorded, through the S3 event, process-result and the production adapters.\n\n")
	fmt.Printf("| run | results | p50 | p95 | p99 | max | budget p50 ≤ 100 ms |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |\n")
	for _, r := range []struct {
		name string
		l    []time.Duration
	}{{"one at a time", lat}, {"16 concurrent uploaders", lat16}} {
		slices.Sort(r.l)
		p := func(q float64) time.Duration { return r.l[min(len(r.l)-1, int(q*float64(len(r.l))))] }
		fmt.Printf("| %s | %d | %s | %s | %s | %s | %s |\n", r.name, len(r.l), ms(p(0.50)), ms(p(0.95)), ms(p(0.99)), ms(r.l[len(r.l)-1]),
			map[bool]string{true: verdict(p(0.5) <= 100*time.Millisecond), false: ""}[r.name == "one at a time"])
	}
	fmt.Printf("\nThroughput with 16 concurrent uploaders: %d results in %s = %.0f results/s.\n", n, ms(elapsed), float64(n)/elapsed.Seconds())
	fmt.Printf("Checked: all %d exams Finished with their notification sent, %d objects under processed/ and none left in completed/, exactly one outbox message per exam.\n", 2*n, 2*n)
	return nil
}

// verify checks the end state of every result.
func verify(ctx context.Context, s3c *s3.Client, cfg stack.Config, all []*started) error {
	processed, completed := 0, 0
	pager := s3.NewListObjectsV2Paginator(s3c, &s3.ListObjectsV2Input{Bucket: aws.String(cfg.Bucket)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, o := range page.Contents {
			switch key := aws.ToString(o.Key); {
			case strings.HasPrefix(key, "processed/"):
				processed++
			case strings.HasPrefix(key, cfg.Folders.Completed+"/"):
				completed++
			}
		}
	}
	if processed != len(all) || completed != 0 {
		return fmt.Errorf("%d objects processed and %d left in completed/, want %d and 0", processed, completed, len(all))
	}
	f, err := os.Open(cfg.OutboxFile)
	if err != nil {
		return err
	}
	defer f.Close()
	perExam := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			ExamID string `json:"exam_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return err
		}
		perExam[line.ExamID]++
	}
	for _, s := range all {
		if perExam[s.id] != 1 {
			return fmt.Errorf("exam %s has %d outbox messages, want 1", s.id, perExam[s.id])
		}
	}
	if len(perExam) != len(all) {
		return fmt.Errorf("%d exams notified, want %d", len(perExam), len(all))
	}
	return nil
}
