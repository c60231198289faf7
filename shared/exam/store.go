package exam

import (
	"context"
	"slices"
	"time"
)

// Transition is one guarded change of status, written by the store as a single
// conditional write: it applies only if the exam exists, belongs to PatientID,
// is of ExamType (when non-zero) and is in one of the From statuses.
type Transition struct {
	ExamID    string
	PatientID string
	ExamType  Type
	From      []Status
	To        Status
	At        time.Time
	// By is who makes the transition; the store appends its history entry
	// in the same conditional write.
	By Actor
	// Reason is kept with a revocation.
	Reason string
	// ResultRef and Notification are set with a finish.
	ResultRef    string
	Notification Notification
}

// Position is where a page of a patient's listing ends: the next page starts
// after it. CreatedAt is in FormatSortable form, as the stores order by it.
type Position struct {
	CreatedAt string
	ExamID    string
}

// PositionOf is the position of e in its patient's listing.
func PositionOf(e Exam) Position {
	return Position{CreatedAt: FormatSortable(e.CreatedAt), ExamID: e.ID}
}

// Page is one page of a patient's exams, newest first, as a store returns it.
// Next is nil on the last page.
type Page struct {
	Exams []Exam
	Next  *Position
}

// Store is the whole exam-store port, implemented by the DynamoDB and the
// in-memory adapters. Use cases depend on the narrower interfaces below.
//
// Errors: ErrExamNotFound for a missing exam, *ExistsError (errors.Is
// ErrExamAlreadyExists) carrying the stored exam on a duplicate Create, *ConflictError (errors.Is ErrConflict) when a condition did
// not hold, and an error wrapping ErrDependency when the backend fails.
type Store interface {
	Creator
	Getter
	Lister
	StatusLister
	Transitioner
	NotificationUpdater
	FailedNotificationClaimer
}

// Creator stores a new exam.
type Creator interface {
	Create(ctx context.Context, e Exam) error
}

// Getter reads one exam.
type Getter interface {
	Get(ctx context.Context, id string) (Exam, error)
}

// Lister lists a patient's exams newest first, limit at a time, after a
// position (nil for the first page).
type Lister interface {
	ListByPatient(ctx context.Context, patientID string, limit int, after *Position) (Page, error)
}

// Transitioner applies a Transition and returns the exam after it.
type Transitioner interface {
	Transition(ctx context.Context, t Transition) (Exam, error)
}

// NotificationUpdater replaces the notification of a Finished exam whose
// notification is still pending and whose claim is held by expectOwner ("" for
// unclaimed), and returns the exam after it.
type NotificationUpdater interface {
	UpdateNotification(ctx context.Context, examID, expectOwner string, n Notification) (Exam, error)
}

// FailedNotificationClaimer claims a failed notification to send it again:
// it replaces the notification of a Finished exam whose notification is
// failed and was recorded at failedAt, and returns the exam after it. Of two
// claims of the same failure, one wins.
type FailedNotificationClaimer interface {
	ClaimFailedNotification(ctx context.Context, examID string, failedAt time.Time, claim Notification) (Exam, error)
}

// Allows reports whether the transition's condition holds for e.
func (t Transition) Allows(e Exam) bool {
	if e.PatientID != t.PatientID || (t.ExamType != 0 && e.Type != t.ExamType) {
		return false
	}
	for _, s := range t.From {
		if e.Status == s {
			return true
		}
	}
	return false
}

// Apply returns e after the transition; stores that cannot write conditions
// (the in-memory one) use it, the DynamoDB store writes the same fields.
func (t Transition) Apply(e Exam) Exam {
	e.Status, e.UpdatedAt = t.To, t.At
	// A new slice: e may share its history with the stored exam.
	e.History = append(slices.Clip(e.History), t.Entry())
	switch t.To {
	case StatusStarted:
		e.StartedAt = t.At
	case StatusFinished:
		e.FinishedAt, e.ResultRef, e.Notification = t.At, t.ResultRef, t.Notification
	case StatusRevoked:
		e.RevokedAt, e.RevokeReason = t.At, t.Reason
	}
	return e
}

// Entry is the history entry the transition writes.
func (t Transition) Entry() HistoryEntry {
	return HistoryEntry{Status: t.To, At: t.At, By: t.By}
}

// NotificationUpdatable reports whether UpdateNotification's condition holds for e.
func NotificationUpdatable(e Exam, expectOwner string) bool {
	return e.Status == StatusFinished && e.Notification.Status == NotificationPending &&
		e.Notification.ClaimOwner == expectOwner
}

// FailedNotificationClaimable reports whether ClaimFailedNotification's condition holds for e.
func FailedNotificationClaimable(e Exam, failedAt time.Time) bool {
	return e.Status == StatusFinished && e.Notification.Status == NotificationFailed &&
		e.Notification.At.Equal(failedAt)
}
