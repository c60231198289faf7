package stack

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"
	"github.com/johannesboyne/gofakes3"

	"github.com/zmed/exam-manager/shared/logctx"
	"github.com/zmed/exam-manager/shared/reconcile"
	"github.com/zmed/exam-manager/shared/reconcile/invoke"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
)

// backendLister lists the local bucket for the reconciler. The local bucket
// is not versioned (gofakes3 runs without versioning, README's emulator
// table): each object is its one version.
type backendLister struct{ backend gofakes3.Backend }

func (l backendLister) ListVersions(_ context.Context, bucket, prefix string, each func(reconcile.Entry) error) error {
	p := gofakes3.NewPrefix(&prefix, nil)
	list, err := l.backend.ListBucket(bucket, &p, gofakes3.ListBucketPage{})
	if err != nil {
		return err
	}
	for _, c := range list.Contents {
		if err := each(reconcile.Entry{Key: c.Key, LastModified: c.LastModified.Time, Size: c.Size, ETag: c.ETag}); err != nil {
			return err
		}
	}
	return nil
}

// handlerProcessor runs process-result's handler once per version, as the
// invocation by the reconciler in AWS does, with the same event payload.
type handlerProcessor struct {
	handler func(context.Context, events.S3Event) error
	timeout time.Duration
}

func (p handlerProcessor) Process(ctx context.Context, bucket string, v reconcile.Entry) error {
	payload, err := invoke.Event(emulators.Region, bucket, v)
	if err != nil {
		return err
	}
	var ev events.S3Event // decoded as the runtime decodes it (the key URL-decoded)
	if err := json.Unmarshal(payload, &ev); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(logctx.WithRequestID(ctx, uuid.NewString()), p.timeout)
	defer cancel()
	return p.handler(ctx, ev)
}

// scheduler runs the reconciler every period until stopped, as the schedule does in AWS.
type scheduler struct {
	run    func(context.Context)
	stop   chan struct{}
	once   sync.Once
	done   sync.WaitGroup
	period time.Duration
}

func (s *scheduler) start() {
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		tick := time.NewTicker(s.period)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				s.run(context.Background())
			case <-s.stop:
				return
			}
		}
	}()
}

func (s *scheduler) close() {
	s.once.Do(func() { close(s.stop) })
	s.done.Wait()
}

// Reconcile runs the reconciler once, now, as one scheduled invocation (tests
// call it instead of waiting for the period). It waits for a run in progress.
func (s *Stack) Reconcile(ctx context.Context) (reconcile.Report, error) {
	s.reconcileMu.Lock()
	defer s.reconcileMu.Unlock()
	ctx, cancel := context.WithTimeout(logctx.WithRequestID(ctx, "reconcile-"+uuid.NewString()), 5*time.Minute)
	defer cancel()
	return s.reconciler.Run(ctx)
}
