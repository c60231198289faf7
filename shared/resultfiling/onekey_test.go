package resultfiling_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/shared/s3event"
	"github.com/zmed/exam-manager/shared/s3results"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
)

// TestUploadsToOneKeyAreEachFiled: a result A, then a corrected B, uploaded
// to the same key with a gap of 0 to 20 ms, 200 times, each upload's event
// processed as soon as S3 acknowledges the upload, concurrently with the
// next upload (as S3 invokes the function asynchronously). However the runs
// interleave, both uploads end filed, and nothing is left in completed/. The
// gaps are inputs that vary the interleaving; the verdict is the end state
// once every event was processed, on the local S3 endpoint and on moto.
func TestUploadsToOneKeyAreEachFiled(t *testing.T) {
	mototest.EachS3(t, func(t *testing.T, url string) {
		workers := 8
		if strings.Contains(t.Name(), "moto") {
			workers = 4 // moto serves one request at a time
		}
		uploadTwiceToOneKey(t, newHarnessOn(t, url), workers)
	})
}

func uploadTwiceToOneKey(t *testing.T, h *harness, workers int) {
	const trials = 200
	type trial struct {
		key, examToken string
		results        [2]string // A's and B's result tokens
		gap            time.Duration
	}
	all := make([]trial, trials)
	for i := range all {
		e, tok := h.startedExam(fakes.ActiveSMS)
		a := h.resultToken(e.ID)
		h.clock.Advance(time.Second) // B's result token differs from A's: a corrected result
		all[i] = trial{key: "completed/2026_11/" + e.ID + ".pdf", examToken: tok, results: [2]string{a, h.resultToken(e.ID)},
			gap: time.Duration(i) * 20 * time.Millisecond / (trials - 1)}
	}
	ctx := context.Background()
	var (
		mu       sync.Mutex
		failures []string
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	// deliver processes an event as Lambda does: retried after a failure
	// (bounded only to stop a hang).
	deliver := func(ev events.S3Event) {
		for attempt := 0; ; attempt++ {
			err := h.handle(ctx, ev)
			if err == nil {
				return
			}
			if attempt == 50 {
				fail("%s: still failing: %v", ev.Records[0].S3.Object.URLDecodedKey, err)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	var runs sync.WaitGroup
	work := make(chan trial)
	var workersDone sync.WaitGroup
	for range workers {
		workersDone.Add(1)
		go func() {
			defer workersDone.Done()
			for tr := range work {
				for i, body := range []string{"A of " + tr.key, "B of " + tr.key} {
					if i == 1 {
						time.Sleep(tr.gap)
					}
					out, err := h.s3.PutObject(ctx, &s3.PutObjectInput{
						Bucket: aws.String(bucket), Key: aws.String(tr.key), Body: bytes.NewReader([]byte(body)), ContentType: aws.String("application/pdf"),
						Metadata: map[string]string{s3results.ExamTokenMeta: tr.examToken, s3results.ResultTokenMeta: tr.results[i]},
					})
					if err != nil {
						fail("put %s: %v", body, err)
						continue
					}
					ev := s3event.ObjectCreated(emulators.Region, bucket, tr.key, aws.ToString(out.VersionId), int64(len(body)), aws.ToString(out.ETag), "01", h.clock.Now())
					runs.Add(1)
					go func() { defer runs.Done(); deliver(ev) }()
				}
			}
		}()
	}
	for _, tr := range all {
		work <- tr
	}
	close(work)
	workersDone.Wait()
	runs.Wait()
	for _, f := range failures {
		t.Error(f)
	}

	// Every acknowledged upload is filed: its body is in an outcome folder.
	filed := map[string]string{}
	for _, key := range h.keys() {
		out, err := h.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(out.Body)
		out.Body.Close()
		filed[string(body)] = key
	}
	var lost []string
	for _, tr := range all {
		for _, body := range []string{"A of " + tr.key, "B of " + tr.key} {
			if key, ok := filed[body]; !ok || key == tr.key {
				lost = append(lost, body)
			}
		}
	}
	sort.Strings(lost)
	if len(lost) > 0 {
		t.Errorf("%d of %d uploads not filed, e.g. %q", len(lost), 2*trials, lost[0])
	}
	if len(filed) != 2*trials {
		t.Errorf("%d objects filed, want %d", len(filed), 2*trials)
	}
	if left := h.versions("completed/"); len(left) > 0 {
		t.Errorf("%d versions left in completed/, e.g. %s", len(left), left[0])
	}
	if n := len(h.notifier.Sent()); n != trials {
		t.Errorf("%d notifications for %d exams", n, trials)
	}
}
