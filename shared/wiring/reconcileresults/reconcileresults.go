// Package reconcileresults is reconcile-results' composition root: the
// reconciler assembled once, for the Lambda and the local stack.
package reconcileresults

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/reconcile"
	"github.com/zmed/exam-manager/shared/reconcile/invoke"
	"github.com/zmed/exam-manager/shared/reconcile/s3list"
)

// Settings is reconcile-results' configuration.
type Settings struct {
	// The template's Globals give every function the table and the patient
	// manager; the reconciler reads them (so they are checked) but uses neither.
	config.Common
	Bucket, Completed string
	ProcessResult     string
	MinAge            time.Duration
}

// ReadSettings reads Settings.
func ReadSettings(r *config.Reader) Settings {
	return Settings{
		Common:        config.ReadCommon(r),
		Bucket:        r.String(config.BucketVar, config.DefaultBucket),
		Completed:     r.String(config.CompletedPrefixVar, "completed"),
		ProcessResult: r.Required(reconcile.ProcessResultFunctionVar),
		MinAge:        r.Duration(reconcile.MinAgeVar, reconcile.DefaultMinAge),
	}
}

// Ports are what the reconciler runs on: the bucket and its
// completed folder, what lists it and what processes each version waiting.
type Ports struct {
	Bucket, Completed string
	MinAge            time.Duration
	List              reconcile.Lister
	Process           reconcile.Processor
}

// New is the reconciler on p: the one place it is assembled.
func New(p Ports) reconcile.Reconciler {
	return reconcile.Reconciler{Bucket: p.Bucket, Prefix: p.Completed, MinAge: p.MinAge, List: p.List, Process: p.Process, Now: time.Now}
}

// FromConfig is the reconciler on S3 (ListObjectVersions) and
// Lambda (Invoke of process-result).
func FromConfig(cfg aws.Config, s Settings) reconcile.Reconciler {
	return New(Ports{
		Bucket: s.Bucket, Completed: s.Completed, MinAge: s.MinAge,
		List:    s3list.FromConfig(cfg),
		Process: invoke.FromConfig(cfg, s.ProcessResult),
	})
}
