// Package processor is the automatic result path: for each object created under
// completed/, it reads the two tokens, runs the same finish-and-notify use case
// as the communicate endpoint, and files the object by outcome. Only transient
// failures fail the invocation, so that Lambda retries them and, after its
// retries, sends the event to the on-failure destination.
//
// It owns its port to the results bucket (Objects, Object, ErrGone) and imports
// no AWS package: shared/results implements the port on S3, and s3event.Handler
// feeds it S3 event notifications.
package processor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/logctx"
	"github.com/zmed/exam-manager/shared/metrics"
)

// Function is the functions/ folder of the Lambda that S3 invokes with the events Handle handles.
const Function = "process-result"

// Outcome is the folder a processed object is filed under.
type Outcome string

// Outcomes.
const (
	Processed Outcome = "processed"
	Stuck     Outcome = "stuck"
	Denied    Outcome = "denied"
	Deleted   Outcome = "deleted"
)

// Object is a result object as read, with its tokens.
type Object struct {
	Bucket, Key  string
	ETag         string
	ContentType  string
	Metadata     map[string]string
	ExamToken    string
	ResultToken  string
	TokenProblem error // why the tokens could not be read, or nil
}

// ErrGone is a result object that no longer exists: filed by an earlier
// delivery of the same event.
var ErrGone = errors.New("result object no longer exists")

// Objects reads and moves result objects (results.Store in production). Both
// return ErrGone for an object that no longer exists.
type Objects interface {
	Read(ctx context.Context, bucket, key string) (Object, error)
	Move(ctx context.Context, obj Object, dstKey string) (string, error)
}

// Finisher is the finish-and-notify use case (exam.Finish).
type Finisher interface {
	Run(ctx context.Context, examToken, resultToken string) (exam.Exam, error)
}

// Processor processes the objects created in the results bucket.
type Processor struct {
	Bucket  string // the results bucket; objects of any other are ignored
	Objects Objects
	Finish  Finisher
	Folders Folders
	Now     func() time.Time
}

// Process processes the object created at key (decoded) in bucket. It returns
// an error only if it failed transiently; an object already filed is skipped
// when its event comes again.
func (p Processor) Process(ctx context.Context, bucket, key string) error {
	if bucket != p.Bucket || !strings.HasPrefix(key, strings.TrimSuffix(p.Folders.Completed, "/")+"/") {
		slog.WarnContext(ctx, "object outside the results bucket's completed folder ignored")
		return nil
	}
	ctx = metrics.WithFinishPath(ctx, metrics.PathAutomatic)
	obj, err := p.Objects.Read(ctx, bucket, key)
	switch {
	case errors.Is(err, ErrGone):
		// Filed by an earlier delivery of this event.
		slog.InfoContext(ctx, "result object already filed")
		return nil
	case err != nil:
		return p.transient(ctx, err)
	}

	outcome, examID, err := p.outcome(ctx, obj)
	if examID != "" {
		ctx = logctx.WithExamID(ctx, examID)
	}
	if err != nil {
		return p.transient(ctx, err)
	}
	dst := p.destination(outcome, key)
	moved, err := p.Objects.Move(ctx, obj, dst)
	switch {
	case errors.Is(err, ErrGone):
		slog.InfoContext(ctx, "result object already filed")
		return nil
	case err != nil:
		return p.transient(ctx, fmt.Errorf("file result as %s: %w", outcome, err))
	}
	slog.InfoContext(ctx, "result filed", "outcome", outcome, "renamed", moved != dst,
		metrics.One(metrics.ResultsFiled, metrics.Dimension{Name: metrics.DimOutcome, Value: string(outcome)}).Attr())
	return nil
}

// outcome runs the use case and says where the object goes. An error is transient.
func (p Processor) outcome(ctx context.Context, obj Object) (Outcome, string, error) {
	if obj.TokenProblem != nil {
		slog.WarnContext(ctx, "result object unusable", "reason", obj.TokenProblem.Error())
		return Stuck, "", nil
	}
	e, err := p.Finish.Run(ctx, obj.ExamToken, obj.ResultToken)
	outcome, cause, transient := classify(err)
	if transient {
		return "", e.ID, err
	}
	if err != nil {
		slog.WarnContext(ctx, "result not accepted", "outcome", outcome, "reason", cause)
	}
	return outcome, e.ID, nil
}

// refusals are the use case's errors that file a result for good, by outcome;
// the first match wins (a revoked exam is also an invalid transition).
var refusals = []struct {
	err     error
	outcome Outcome
}{
	{exam.ErrExamRevoked, Deleted},
	{exam.ErrPatientNotFound, Denied},
	{exam.ErrPatientNotActive, Denied},
	{exam.ErrPatientMismatch, Denied},
	{exam.ErrInvalidToken, Stuck},
	{exam.ErrTokenMismatch, Stuck},
	{exam.ErrExamNotFound, Stuck},
	{exam.ErrExamTypeMismatch, Stuck},
	{exam.ErrInvalidTransition, Stuck},
}

// classify maps the use case's error to an outcome and a log-safe cause (the
// sentinel's text, never a token or its claims). Anything else is transient:
// dependencies down, a notification being sent by another delivery, or the
// unforeseen leave the object where it is, and Lambda retries.
func classify(err error) (outcome Outcome, cause string, transient bool) {
	if err == nil {
		return Processed, "", false
	}
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			return r.outcome, r.err.Error(), false
		}
	}
	return "", "", true
}

func (p Processor) transient(ctx context.Context, err error) error {
	slog.ErrorContext(ctx, "result processing failed; the object stays for a retry", "error", describe(err),
		metrics.One(metrics.ResultsRetried).Attr())
	return err
}

// describe is err's text for logs without the URL of a network error: it holds
// the object key, which the uploader may have named after the patient.
func describe(err error) string {
	text := err.Error()
	var urlErr *url.Error
	if errors.As(err, &urlErr) && urlErr.URL != "" {
		text = strings.ReplaceAll(text, urlErr.URL, "<url>")
	}
	return text
}

// destination is <outcome>/YYYY_MM/<file name>, by the month of processing.
func (p Processor) destination(o Outcome, key string) string {
	return strings.TrimSuffix(p.Folders.of(o), "/") + "/" + p.Now().UTC().Format("2006_01") + "/" + path.Base(key)
}
