// Package scheduled adapts a run to the EventBridge schedule that invokes it.
package scheduled

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/health"
)

// Handler is the handler a scheduled function starts: each scheduled event
// (which carries nothing a run needs) runs run once, and answers null. The
// health event, whose source is health.Source (a schedule's event says
// "aws.events"), is answered without running run.
func Handler(run func(context.Context) error) func(context.Context, events.EventBridgeEvent) (*health.Answer, error) {
	return func(ctx context.Context, ev events.EventBridgeEvent) (*health.Answer, error) {
		if ev.Source == health.Source {
			a := health.Answered(ctx, health.Schedule)
			return &a, nil
		}
		return nil, run(ctx)
	}
}
