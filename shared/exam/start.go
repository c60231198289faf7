package exam

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// ExamClaims is what an exam token asserts.
type ExamClaims struct {
	ExamID    string
	PatientID string
	ExamType  Type
}

// TokenIssuer signs exam tokens.
type TokenIssuer interface {
	IssueExamToken(c ExamClaims) (string, error)
}

// Start moves a Registered exam to Started and issues its exam token. It is
// idempotent: an exam already Started is answered as it stands, with a newly
// signed token, so a lost response or a label printed again never blocks it.
type Start struct {
	Patients PatientFinder
	Exams    Transitioner
	Tokens   TokenIssuer
	Now      func() time.Time
	Observer Observer // the logs and metrics of each start; nil tells nobody
}

// Run starts, as the actor, the exam examID of the patient with document,
// checking its type. It writes once, conditionally, without reading the exam
// first; when the write is refused because the exam is Started already, the
// exam the refusal returns is the answer (its history unchanged: only a
// transition's write appends to it), so a repeated start costs no more calls
// than the first.
func (s Start) Run(ctx context.Context, by Actor, document, examID string, t Type) (Exam, string, error) {
	if err := requireActor(by); err != nil {
		return Exam{}, "", err
	}
	if _, err := normalizeDocument(document); err != nil {
		return Exam{}, "", err
	}
	if err := validateExamID(examID); err != nil {
		return Exam{}, "", err
	}
	if !t.Known() {
		return Exam{}, "", ErrUnknownExamType
	}
	p, err := findActivePatient(ctx, s.Patients, document)
	if err != nil {
		return Exam{}, "", err
	}
	// Signed before the write: a token that could not be issued leaves nothing started.
	token, err := s.Tokens.IssueExamToken(ExamClaims{ExamID: examID, PatientID: p.ID, ExamType: t})
	if err != nil {
		return Exam{}, "", err
	}
	e, err := s.Exams.Transition(ctx, Transition{
		ExamID: examID, PatientID: p.ID, ExamType: t,
		From: []Status{StatusRegistered}, To: StatusStarted, At: s.Now().UTC(), By: by,
	})
	var conflict *ConflictError
	if errors.As(err, &conflict) && startedAlready(conflict.Current, p.ID, t) {
		return conflict.Current, token, nil
	}
	if err != nil {
		return Exam{}, "", classifyConflict(err, p.ID, t)
	}
	observerOr(s.Observer).ExamStarted(ctx)
	return e, token, nil
}

// startedAlready reports whether cur is this patient's exam of this type,
// Started by an earlier (or a concurrent) start.
func startedAlready(cur Exam, patientID string, t Type) bool {
	return cur.Status == StatusStarted && cur.PatientID == patientID && cur.Type == t
}

// classifyConflict turns a refused conditional write into the error the caller
// should see, never revealing that an exam of another patient exists.
func classifyConflict(err error, patientID string, t Type) error {
	var conflict *ConflictError
	if !errors.As(err, &conflict) {
		return err
	}
	switch cur := conflict.Current; {
	case cur.PatientID != patientID:
		return ErrExamNotFound
	case t != 0 && cur.Type != t:
		return ErrExamTypeMismatch
	default:
		return ErrInvalidTransition
	}
}

// validateExamID refuses ids that cannot be ours before any call is made.
func validateExamID(id string) error {
	if !isExamID(id) {
		return InvalidRequest("exam_id must be a UUID")
	}
	return nil
}

// isExamID reports whether id has the form of an exam id (a UUID in its
// 36-character form).
func isExamID(id string) bool {
	_, err := uuid.Parse(id)
	return err == nil && len(id) == 36
}
