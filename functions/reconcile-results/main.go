// Command reconcile-results is the scheduled Lambda that processes results an
// outage left in completed/: every version older than a few minutes is handed
// to process-result, invoked with the event S3 would have sent for it.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/scheduled"
	"github.com/zmed/exam-manager/shared/wiring/reconcileresults"
)

// readSettings reads this function's configuration, once per cold start.
var readSettings = reconcileresults.ReadSettings

func main() {
	_, s, cfg := boot.Init(readSettings)
	r := reconcileresults.FromConfig(cfg, s)
	lambda.Start(scheduled.Handler(func(ctx context.Context) error {
		_, err := r.Run(ctx)
		return err
	}))
}
