package stack

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/s3event"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// TestAsyncInvokerRetriesLikeLambda: an event whose handler keeps failing is
// tried three times (two retries, the second after twice the wait), then
// reported; one that fails once succeeds on its first retry.
func TestAsyncInvokerRetriesLikeLambda(t *testing.T) {
	buf := logtest.Capture(t)

	ev := s3event.ObjectCreated("us-east-1", "b", "completed/x.pdf", "v1", 1, "e", "0A", time.Now())
	for _, tt := range []struct {
		name      string
		failures  int32
		wantCalls int32
		reported  bool
	}{
		{"always failing", 100, 3, true},
		{"failing once", 1, 2, false},
		{"succeeding", 0, 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			buf.Reset()
			var calls atomic.Int32
			var deadlines []bool
			inv := &asyncInvoker{
				handler: func(ctx context.Context, _ events.S3Event) error {
					_, has := ctx.Deadline()
					deadlines = append(deadlines, has)
					if calls.Add(1) <= tt.failures {
						return errors.New("dependency down")
					}
					return nil
				},
				timeout: time.Second, backoff: 5 * time.Millisecond, retries: 2, stop: make(chan struct{}),
			}
			inv.submit(ev)
			inv.inFlight.Wait()
			if calls.Load() != tt.wantCalls {
				t.Fatalf("%d calls, want %d", calls.Load(), tt.wantCalls)
			}
			for _, has := range deadlines {
				if !has {
					t.Fatal("an invocation ran without a deadline")
				}
			}
			if got := strings.Contains(buf.String(), "failed after its retries"); got != tt.reported {
				t.Fatalf("failure reported: %v, want %v; log: %s", got, tt.reported, buf.String())
			}
		})
	}
}
