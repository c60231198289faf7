package handin

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/resultfiling"
)

// FormLifetime is how long an upload form is valid.
const FormLifetime = 5 * time.Minute

// Presigner signs upload forms: S3's presigned POST in production.
type Presigner interface {
	// PresignUpload returns a form that uploads one document of type t and
	// exactly size bytes to key in bucket, and nothing else, valid for ttl.
	PresignUpload(ctx context.Context, bucket, key string, t exam.DocumentType, size int64, ttl time.Duration) (exam.UploadForm, error)
}

// Forms makes hand-in upload forms (exam.UploadForms).
type Forms struct {
	Bucket    string
	Completed string // the folder processing takes uploads from
	Presign   Presigner
	Now       func() time.Time
}

var _ exam.UploadForms = Forms{}

// NewUpload returns a form for a new hand-in key of examID.
func (f Forms) NewUpload(ctx context.Context, examID string, t exam.DocumentType, size int64) (exam.UploadForm, error) {
	form, err := f.Presign.PresignUpload(ctx, f.Bucket, Key(f.Completed, examID, t, f.Now()), t, size, FormLifetime)
	if err != nil {
		return exam.UploadForm{}, fmt.Errorf("%w: presign the upload: %w", exam.ErrDependency, err)
	}
	return form, nil
}

// Head is what the outcome reads of a result object: the filing's user
// metadata zmed-reason and zmed-source-key ("" when it has none).
type Head struct {
	Reason    string
	SourceKey string // resultfiling.SourceKeyDigest of the key it was uploaded at
}

// Objects reads the results bucket for the outcomes.
type Objects interface {
	// Head says whether key exists and, if so, what its metadata says.
	Head(ctx context.Context, bucket, key string) (h Head, found bool, err error)
	// List returns the keys beginning with prefix (the first page: at most a thousand).
	List(ctx context.Context, bucket, prefix string) ([]string, error)
}

// MaxMonths is how many months of filing folders an outcome looks in: the
// month a key was issued and the following ones up to now. Processing files
// a result by the month it runs; a form is valid five minutes and an outage
// is reconciled within the hour, so the next month is reached only across a
// month's end.
const MaxMonths = 3

// Outcomes finds where hand-ins were filed (exam.UploadOutcomes).
type Outcomes struct {
	Bucket  string
	Folders resultfiling.Folders
	Objects Objects
	Now     func() time.Time
}

var _ exam.UploadOutcomes = Outcomes{}

// ErrNotHandInKey is a key that is not one of the exam's hand-in keys.
var ErrNotHandInKey error = &exam.RequestError{Message: "key is not a hand-in key of this exam"}

// Outcome says where the upload at key, a hand-in key of examID, is. In the
// order that makes the usual answers cheapest, and exact because processing
// copies before it deletes: the key itself in the completed folder (waiting:
// one HEAD); else the same file name in each outcome folder of each month
// from the key's (processed: two HEADs in all); else a copy renamed on a
// taken name (<stem>-<12 hex>.<ext>), found by listing the stem in each
// folder and month, then read with one HEAD. A copy counts only if its
// zmed-source-key names this key: any other object under the name (the one
// that made the filing rename this upload) is not this upload. Nothing found
// is waiting, not_received: S3 reads its own writes, so an upload S3
// acknowledged is always found.
func (o Outcomes) Outcome(ctx context.Context, examID, key string) (exam.UploadOutcome, error) {
	k, ok := parseKey(o.Folders.Completed, examID, key)
	if !ok {
		return exam.UploadOutcome{}, ErrNotHandInKey
	}
	if _, found, err := o.head(ctx, key); err != nil || found {
		return exam.UploadOutcome{State: exam.UploadWaiting}, err
	}
	source := resultfiling.SourceKeyDigest(o.Bucket, key)
	type place struct {
		state  exam.UploadState
		folder string // "<folder>/YYYY_MM/"
	}
	var places []place
	for _, m := range months(k.month, o.Now()) {
		for _, f := range []struct {
			state  exam.UploadState
			folder string
		}{
			{exam.UploadProcessed, o.Folders.Processed}, {exam.UploadStuck, o.Folders.Stuck},
			{exam.UploadDenied, o.Folders.Denied}, {exam.UploadDeleted, o.Folders.Deleted},
		} {
			places = append(places, place{f.state, strings.TrimSuffix(f.folder, "/") + "/" + m + "/"})
		}
	}
	for _, p := range places {
		h, found, err := o.head(ctx, p.folder+k.base)
		if err != nil {
			return exam.UploadOutcome{}, err
		}
		if found && h.SourceKey == source {
			return exam.UploadOutcome{State: p.state, Reason: known(h.Reason)}, nil
		}
	}
	stem := strings.TrimSuffix(k.base, path.Ext(k.base)) + "-"
	for _, p := range places {
		keys, err := o.Objects.List(ctx, o.Bucket, p.folder+stem)
		if err != nil {
			return exam.UploadOutcome{}, fmt.Errorf("%w: list the filed results: %w", exam.ErrDependency, err)
		}
		for _, filed := range keys {
			if !renamedName(strings.TrimPrefix(filed, p.folder), k.base) {
				continue
			}
			h, found, err := o.head(ctx, filed)
			if err != nil {
				return exam.UploadOutcome{}, err
			}
			if found && h.SourceKey == source {
				return exam.UploadOutcome{State: p.state, Reason: known(h.Reason)}, nil
			}
		}
	}
	return exam.UploadOutcome{State: exam.UploadWaiting, Reason: exam.NotReceived}, nil
}

func (o Outcomes) head(ctx context.Context, key string) (Head, bool, error) {
	h, found, err := o.Objects.Head(ctx, o.Bucket, key)
	if err != nil {
		return Head{}, false, fmt.Errorf("%w: read a result's head: %w", exam.ErrDependency, err)
	}
	return h, found, nil
}

// months are the YYYY_MM folders from issued's month to now's, at most MaxMonths.
func months(issued, now time.Time) []string {
	out := []string{issued.Format(monthLayout)}
	last := now.UTC().Format(monthLayout)
	for m := issued; len(out) < MaxMonths && out[len(out)-1] < last; {
		m = m.AddDate(0, 1, 0)
		out = append(out, m.Format(monthLayout))
	}
	return out
}

// known is reason when it is one of the filing's reasons, else "": a filed
// object's metadata is the only thing the answer repeats, and only from the list.
func known(reason string) string {
	if slices.Contains(resultfiling.Reasons, resultfiling.Reason(reason)) {
		return reason
	}
	return ""
}
