// Package resultfiling is the automatic result path: for each object created under
// completed/, it reads the two tokens, runs the same finish-and-notify use case
// as the communicate endpoint, and files the object by outcome. Only transient
// failures fail the invocation, so that Lambda retries them and, after its
// retries, sends the event to the on-failure destination.
//
// It owns its port to the results bucket (Objects, Object, ErrGone) and imports
// no AWS package: shared/s3results implements the port on S3, and s3event.Handler
// feeds it S3 event notifications.
package resultfiling

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// Object is a result object as read, with its tokens: one version of a key
// (VersionID is "" only in a bucket never versioned).
type Object struct {
	Bucket, Key, VersionID string
	ETag                   string
	// The system metadata a filed object keeps.
	ContentType, ContentDisposition, ContentEncoding, ContentLanguage, CacheControl string
	Metadata                                                                        map[string]string // user metadata
	ExamToken                                                                       string
	ResultToken                                                                     string
	TokenProblem                                                                    error // why the tokens could not be read (ErrNoTokens, ErrUnreadableBody, ErrDocumentTooLarge), or nil
}

// Filing is where an object goes and why, written on the filed object as the
// user metadata zmed-outcome, zmed-reason and zmed-exam-id.
type Filing struct {
	Key    string // the destination key
	Reason Reason
	ExamID string // "" when not known
}

// ErrGone is a result object (version) that no longer exists: filed by an
// earlier delivery of the same event.
var ErrGone = errors.New("result object no longer exists")

// ErrRefused is a permanent refusal by S3 (a 4xx other than throttling, not
// found or a failed precondition): retrying the same request cannot succeed.
var ErrRefused = errors.New("s3 refused the request for good")

// Objects reads and moves result objects (s3results.Store in production). Both
// return ErrGone for an object that no longer exists and wrap ErrRefused for a
// permanent refusal; any other error is transient.
type Objects interface {
	// Read reads the version versionID of key ("" for the current one).
	Read(ctx context.Context, bucket, key, versionID string) (Object, error)
	// Move files obj at f.Key, never over a different object, and deletes
	// obj's version; it returns the key the object now has.
	Move(ctx context.Context, obj Object, f Filing) (string, error)
}

// Finisher is the finish-and-notify use case (exam.Finish).
type Finisher interface {
	Run(ctx context.Context, by exam.Actor, examToken, resultToken string) (exam.Exam, error)
}

// Processor processes the objects created in the results bucket.
type Processor struct {
	Bucket  string // the results bucket; objects of any other are ignored
	Objects Objects
	Finish  Finisher
	Folders Folders
	Now     func() time.Time
}

// Process processes the version versionID of the object created at key
// (decoded) in bucket, as its S3 event names it. It returns an error only if
// it failed transiently; an object already filed is skipped when its event
// comes again.
func (p Processor) Process(ctx context.Context, bucket, key, versionID string) error {
	if bucket != p.Bucket || !strings.HasPrefix(key, strings.TrimSuffix(p.Folders.Completed, "/")+"/") {
		slog.WarnContext(ctx, "object outside the results bucket's completed folder ignored")
		return nil
	}
	if strings.HasSuffix(key, "/") {
		slog.InfoContext(ctx, "folder marker ignored")
		return nil
	}
	obj, err := p.Objects.Read(ctx, bucket, key, versionID)
	switch {
	case errors.Is(err, ErrGone):
		// Filed by an earlier delivery of this event.
		slog.InfoContext(ctx, "result object already filed")
		return nil
	case errors.Is(err, ErrRefused):
		return p.fileUnfileable(ctx, Object{Bucket: bucket, Key: key, VersionID: versionID}, "", err)
	case err != nil:
		return p.transient(ctx, err)
	}

	reason, examID, err := p.judge(ctx, obj)
	if examID != "" {
		ctx = logctx.WithExamID(ctx, examID)
	}
	if err != nil {
		return p.transient(ctx, err)
	}
	dst := p.destination(reason.Outcome(), key)
	moved, err := p.Objects.Move(ctx, obj, Filing{Key: dst, Reason: reason, ExamID: examID})
	switch {
	case errors.Is(err, ErrGone):
		slog.InfoContext(ctx, "result object already filed")
		return nil
	case errors.Is(err, ErrRefused):
		return p.fileUnfileable(ctx, obj, examID, err)
	case err != nil:
		return p.transient(ctx, fmt.Errorf("file result as %s: %w", reason.Outcome(), err))
	}
	slog.InfoContext(ctx, "result filed", "outcome", reason.Outcome(), "reason", reason, "renamed", moved != dst,
		filedMetric(reason.Outcome()))
	return nil
}

// judge runs the use case and says why the object goes where. An error is transient.
func (p Processor) judge(ctx context.Context, obj Object) (Reason, string, error) {
	if obj.TokenProblem != nil {
		reason := tokenReason(obj.TokenProblem)
		slog.WarnContext(ctx, "result object unusable", "reason", reason)
		audited(ctx, exam.Exam{}, exam.ErrInvalidToken)
		return reason, "", nil
	}
	e, err := p.Finish.Run(ctx, exam.ProcessResultActor, obj.ExamToken, obj.ResultToken)
	audited(ctx, e, err)
	reason, refused := refusalReason(err)
	if !refused {
		return "", e.ID, err
	}
	if err != nil {
		slog.WarnContext(ctx, "result not accepted", "outcome", reason.Outcome(), "reason", reason)
	}
	return reason, e.ID, nil
}

// fileUnfileable files to stuck/ an object that S3 refused for good to read
// or to move where it belonged (refusal says how). When S3 refuses that too,
// retrying cannot help: the object stays in completed/ and an error line says
// so (the operators' alarm), but the invocation succeeds.
func (p Processor) fileUnfileable(ctx context.Context, obj Object, examID string, refusal error) error {
	slog.WarnContext(ctx, "s3 refused the result for good; filing it as unfileable", "error", logctx.ErrorText(refusal))
	// Without the user's own metadata: it may be what S3 refused.
	obj.Metadata = nil
	dst := p.destination(Stuck, obj.Key)
	_, err := p.Objects.Move(ctx, obj, Filing{Key: dst, Reason: Unfileable, ExamID: examID})
	switch {
	case err == nil:
		slog.InfoContext(ctx, "result filed", "outcome", Stuck, "reason", Unfileable, filedMetric(Stuck))
		return nil
	case errors.Is(err, ErrGone):
		slog.InfoContext(ctx, "result object already filed")
		return nil
	case errors.Is(err, ErrRefused):
		slog.ErrorContext(ctx, UnfileableMessage, "error", logctx.ErrorText(err), metrics.One(metrics.ResultsUnfileable).Attr())
		return nil
	}
	return p.transient(ctx, fmt.Errorf("file result as unfileable: %w", err))
}

// UnfileableMessage is the stable message of the error line logged for a
// result that S3 refuses for good to file even as unfileable.
const UnfileableMessage = "result object cannot be filed: s3 refuses it for good; it stays in the completed folder"

func (p Processor) transient(ctx context.Context, err error) error {
	slog.ErrorContext(ctx, "result processing failed; the object stays for a retry", "error", logctx.ErrorText(err),
		metrics.One(metrics.ResultsRetried).Attr())
	return err
}

// destination is <outcome>/YYYY_MM/<file name>, by the month of processing.
func (p Processor) destination(o Outcome, key string) string {
	return strings.TrimSuffix(p.Folders.of(o), "/") + "/" + p.Now().UTC().Format("2006_01") + "/" + path.Base(key)
}

// filedMetric is the ResultsFiled metric of one result filed to outcome.
func filedMetric(o Outcome) slog.Attr {
	return metrics.One(metrics.ResultsFiled, metrics.Dimension{Name: metrics.DimOutcome, Value: string(o)}).Attr()
}
