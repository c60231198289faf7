package stack

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/logctx"
)

// asyncInvoker delivers S3 events to a handler as Lambda's asynchronous
// invocation does: in the background, retried twice with backoff after an
// error, then reported as sent to the on-failure destination.
type asyncInvoker struct {
	handler func(context.Context, events.S3Event) error
	timeout time.Duration
	backoff time.Duration // before the first retry; doubled for the second
	retries int
	// onFailure receives an event whose retries are exhausted (the on-failure destination).
	onFailure func(ev events.S3Event, attempts int, requestID string)

	stop     chan struct{}
	stopOnce sync.Once
	inFlight sync.WaitGroup
}

// submit queues one invocation.
func (i *asyncInvoker) submit(ev events.S3Event) {
	i.inFlight.Add(1)
	go func() {
		defer i.inFlight.Done()
		i.run(ev)
	}()
}

func (i *asyncInvoker) run(ev events.S3Event) {
	wait := i.backoff
	for attempt := 0; ; attempt++ {
		err := i.invoke(ev)
		if err == nil {
			return
		}
		if attempt == i.retries {
			ctx := logctx.WithRequestID(context.Background(), "async-"+ev.Records[0].S3.Object.Sequencer)
			slog.ErrorContext(ctx, "process-result failed after its retries; the event goes to the on-failure queue",
				"attempts", attempt+1, "error", err.Error())
			if i.onFailure != nil {
				i.onFailure(ev, attempt+1, logctx.RequestID(ctx))
			}
			return
		}
		select {
		case <-time.After(wait):
			wait *= 2
		case <-i.stop:
			return
		}
	}
}

// invoke runs the handler once, as one Lambda invocation with its own request id and deadline.
func (i *asyncInvoker) invoke(ev events.S3Event) error {
	ctx, cancel := context.WithTimeout(logctx.WithRequestID(context.Background(), uuid.NewString()), i.timeout)
	defer cancel()
	return i.handler(ctx, ev)
}

// close stops pending retries and waits for running invocations.
func (i *asyncInvoker) close() {
	i.stopOnce.Do(func() { close(i.stop) })
	i.inFlight.Wait()
}
