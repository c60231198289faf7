package exam

import (
	"context"
	"time"
	"unicode/utf8"
)

// MaxRevokeReason is the longest revocation reason accepted, in characters.
const MaxRevokeReason = 500

// Revoke moves a Registered or Started exam to Revoked.
type Revoke struct {
	Patients PatientFinder
	Exams    Transitioner
	Now      func() time.Time
	Observer Observer // the logs and metrics of each revoke; nil tells nobody
}

// Run revokes, as the actor, the exam examID of the patient with document. The patient need
// not be active: cleaning up the exams of an inactive patient is allowed.
func (r Revoke) Run(ctx context.Context, by Actor, document, examID, reason string) (Exam, error) {
	if err := requireActor(by); err != nil {
		return Exam{}, err
	}
	if _, err := normalizeDocument(document); err != nil {
		return Exam{}, err
	}
	if err := validateExamID(examID); err != nil {
		return Exam{}, err
	}
	if reason == "" || utf8.RuneCountInString(reason) > MaxRevokeReason {
		return Exam{}, InvalidRequest("reason must have 1 to 500 characters")
	}
	p, err := findPatient(ctx, r.Patients, document)
	if err != nil {
		return Exam{}, err
	}
	e, err := r.Exams.Transition(ctx, Transition{
		ExamID: examID, PatientID: p.ID,
		From: []Status{StatusRegistered, StatusStarted}, To: StatusRevoked,
		At: r.Now().UTC(), By: by, Reason: reason,
	})
	if err != nil {
		return Exam{}, classifyConflict(err, p.ID, 0)
	}
	observerOr(r.Observer).ExamRevoked(ctx)
	return e, nil
}
