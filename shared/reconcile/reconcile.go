// Package reconcile heals results that an outage left in completed/: a
// scheduled run lists every version under the folder and hands each one older
// than a few minutes to the same processing as its S3 event (process-result),
// which is idempotent, so a result its event is also handling is filed once.
// It reports the age of the oldest version it saw, which an alarm watches.
//
// It imports no AWS package: a Lister reads the bucket (s3list in
// production), a Processor processes one version (process-result invoked
// with the event S3 would have sent, or the local stack's handler).
package reconcile

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/zmed/exam-manager/shared/metrics"
)

// Function is the functions/ folder of the scheduled reconciler.
const Function = "reconcile-results"

// Entry is one version of an object, or a delete marker, as listed.
type Entry struct {
	Key, VersionID string
	LastModified   time.Time
	Size           int64
	ETag           string
	DeleteMarker   bool
}

// Lister lists every version and delete marker under prefix in bucket, calling
// each for them in S3's order (by key, newest first within a key) and
// stopping at its first error.
type Lister interface {
	ListVersions(ctx context.Context, bucket, prefix string, each func(Entry) error) error
}

// Processor processes one version of a result, as its S3 event would. An
// error is a failure to be retried by the next run.
type Processor interface {
	Process(ctx context.Context, bucket string, v Entry) error
}

// DefaultMinAge leaves alone what its own S3 event is probably still
// handling: Lambda's two asynchronous retries end about three minutes after
// the upload.
const DefaultMinAge = 5 * time.Minute

// deadlineMargin is kept back from the run's deadline: no version is started
// later than this before it.
const deadlineMargin = 40 * time.Second

// Reconciler is one scheduled run's work.
type Reconciler struct {
	Bucket, Prefix string // the results bucket and its completed folder ("completed")
	MinAge         time.Duration
	List           Lister
	Process        Processor
	Now            func() time.Time
}

// Report is what a run did.
type Report struct {
	Seen, Processed, Failed, Young, Skipped int
	Oldest                                  time.Duration // age of the oldest pending version, 0 when none
}

// Run processes every pending version older than MinAge, one at a time (the
// processing's own concurrency is bounded where it runs), and stops starting
// new ones near ctx's deadline. It fails only when the listing fails; a
// version that fails waits for the next run.
func (r Reconciler) Run(ctx context.Context) (Report, error) {
	var rep Report
	pending, err := r.pending(ctx)
	if err != nil {
		slog.ErrorContext(ctx, "reconciler cannot list the completed folder", "error", err.Error())
		return rep, err
	}
	now := r.Now()
	for _, v := range pending {
		rep.Seen++
		age := now.Sub(v.LastModified)
		rep.Oldest = max(rep.Oldest, age)
		if age < r.MinAge {
			rep.Young++
			continue
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < deadlineMargin {
			rep.Skipped++
			continue
		}
		if err := r.Process.Process(ctx, r.Bucket, v); err != nil {
			rep.Failed++
			slog.WarnContext(ctx, "reconciler could not process a result; the next run retries it", "error", err.Error())
			continue
		}
		rep.Processed++
	}
	slog.InfoContext(ctx, "reconciliation done", "seen", rep.Seen, "processed", rep.Processed, "failed", rep.Failed,
		"young", rep.Young, "skipped", rep.Skipped,
		metrics.Duration(metrics.OldestCompletedAge, rep.Oldest).Attr())
	return rep, nil
}

// pending lists the versions that wait for processing: every version under
// the folder except folder markers and versions a later delete marker hides
// (deleted by hand, or moved by processing that deleted the key rather than
// its version).
func (r Reconciler) pending(ctx context.Context) ([]Entry, error) {
	prefix := strings.TrimSuffix(r.Prefix, "/") + "/"
	var out []Entry
	var hiddenKey string // the key whose older versions a delete marker hides
	err := r.List.ListVersions(ctx, r.Bucket, prefix, func(e Entry) error {
		switch {
		case e.DeleteMarker:
			hiddenKey = e.Key
		case e.Key == hiddenKey, strings.HasSuffix(e.Key, "/"), !strings.HasPrefix(e.Key, prefix):
		default:
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// Variables of the reconciler's configuration.
const (
	ProcessResultFunctionVar = "ZMED_PROCESS_RESULT_FUNCTION"
	MinAgeVar                = "ZMED_RECONCILE_MIN_AGE"
)
