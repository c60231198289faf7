package exam

import (
	"context"
	"errors"
	"time"
)

// ErrNotificationNotFailed: only a failed notification of a Finished exam is
// sent again (one sent, skipped, unconfirmed or being sent never is).
var ErrNotificationNotFailed = errors.New("the exam's notification has not failed")

// ResendStore is what sending a failed notification again needs of the exam store.
type ResendStore interface {
	FinishStore
	FailedNotificationClaimer
}

// Resend sends again, once the patient's contact is fixed, a notification
// recorded failed (the operator command). It reads the patient again, claims
// the failure with one conditional write (of two resends of one failure, one
// sends), then sends and records the outcome as finishing does. A send not
// accepted gives the failure back, so that it can be sent again later.
type Resend struct {
	Exams    ResendStore
	Patients PatientFinder
	Notifier Notifier
	Now      func() time.Time
	NewID    func() string
	Observer Observer // the logs and metrics of each resend; nil tells nobody
}

// Run sends the failed notification of the exam examID again and returns the
// exam as it now stands, its notification sent, skipped, failed again or
// unconfirmed. A claim whose sender stopped before recording (a resend or a
// finish that was cut off) is marked unconfirmed, as finishing does.
func (r Resend) Run(ctx context.Context, examID string) (Exam, error) {
	e, err := r.Exams.Get(ctx, examID)
	if err != nil {
		return Exam{}, err
	}
	ctx = observerOr(r.Observer).ExamIdentified(ctx, e.ID)
	f := Finish{Exams: r.Exams, Patients: r.Patients, Notifier: r.Notifier, Now: r.Now, Observer: r.Observer}
	failed := e.Notification
	switch {
	case e.Status == StatusFinished && failed.Status == NotificationPending && failed.ClaimOwner != "" &&
		!r.Now().Before(failed.ClaimUntil):
		// A sender stopped after claiming: it may have sent, so never again.
		return f.abandon(ctx, e)
	case e.Status != StatusFinished || failed.Status != NotificationFailed:
		return e, ErrNotificationNotFailed
	}
	p, err := f.patientOf(ctx, e)
	if err != nil {
		return e, err
	}
	owner := r.NewID()
	claimed, err := r.Exams.ClaimFailedNotification(ctx, e.ID, failed.At,
		Notification{Status: NotificationPending, ClaimOwner: owner, ClaimUntil: f.claimUntil(ctx)})
	var conflict *ConflictError
	if errors.As(err, &conflict) {
		// Another resend claimed this failure first.
		return conflict.Current, ErrNotificationNotFailed
	}
	if err != nil {
		return e, err
	}
	return f.notify(ctx, claimed, p, owner, failed)
}
