package stack

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/logctx"
	"github.com/zmed/exam-manager/shared/reconcile"
)

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
