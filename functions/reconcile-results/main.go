// Command reconcile-results is the scheduled Lambda that processes results an
// outage left in completed/: every version older than a few minutes is handed
// to process-result, invoked with the event S3 would have sent for it.
package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/reconcile"
	"github.com/zmed/exam-manager/shared/reconcile/invoke"
	"github.com/zmed/exam-manager/shared/reconcile/s3list"
)

// settings is this function's configuration, read once per cold start.
type settings struct {
	// The template's Globals give every function the table and the patient
	// manager; the reconciler reads them (so they are checked) but uses neither.
	config.Common
	Bucket, Completed string
	ProcessResult     string
	MinAge            time.Duration
}

func readSettings(r *config.Reader) settings {
	return settings{
		Common:        config.ReadCommon(r),
		Bucket:        r.String(config.BucketVar, config.DefaultBucket),
		Completed:     r.String(config.CompletedPrefixVar, "completed"),
		ProcessResult: r.Required(reconcile.ProcessResultFunctionVar),
		MinAge:        r.Duration(reconcile.MinAgeVar, reconcile.DefaultMinAge),
	}
}

func main() {
	_, s, cfg := boot.Init(readSettings)
	r := reconcile.Reconciler{
		Bucket: s.Bucket, Prefix: s.Completed, MinAge: s.MinAge,
		List:    s3list.FromConfig(cfg),
		Process: invoke.FromConfig(cfg, s.ProcessResult),
		Now:     time.Now,
	}
	// The scheduled event carries nothing the run needs.
	lambda.Start(func(ctx context.Context, _ json.RawMessage) error {
		_, err := r.Run(ctx)
		return err
	})
}
