package exam

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// ExamClaims is what an exam token asserts. A label code (the compact exam
// token of the exam's label) names its exam only: its claims come with a Seal
// and without patient or type, which Finish takes from the exam as stored
// once the seal holds for it.
type ExamClaims struct {
	ExamID    string
	PatientID string
	ExamType  Type
	Seal      Seal // nil for an exam token that carries every claim
}

// Seal is what is left to verify of a label code once its exam is read: its
// MAC covers the exam's patient and type, which the code does not carry.
// Check's error wraps ErrInvalidToken, and ErrTokenExpired for a genuine code
// past its expiry.
type Seal interface {
	Check(e Exam) error
}

// TokenIssuer signs exam tokens, in both forms.
type TokenIssuer interface {
	IssueExamToken(c ExamClaims) (string, error)
	IssueLabelCode(c ExamClaims) (string, error)
}

// Issued is what a start hands out for the exam: its exam token and its label
// code, each accepted wherever the other is.
type Issued struct {
	ExamToken string
	LabelCode string
}

// Start moves a Registered exam to Started and issues its exam token and label
// code. It is idempotent: an exam already Started is answered as it stands,
// with newly signed tokens, so a lost response or a label printed again never
// blocks it.
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
func (s Start) Run(ctx context.Context, by Actor, document, examID string, t Type) (Exam, Issued, error) {
	if err := requireActor(by); err != nil {
		return Exam{}, Issued{}, err
	}
	if _, err := normalizeDocument(document); err != nil {
		return Exam{}, Issued{}, err
	}
	if err := validateExamID(examID); err != nil {
		return Exam{}, Issued{}, err
	}
	if !t.Known() {
		return Exam{}, Issued{}, ErrUnknownExamType
	}
	p, err := findActivePatient(ctx, s.Patients, document)
	if err != nil {
		return Exam{}, Issued{}, err
	}
	// Signed before the write: a token that could not be issued leaves nothing started.
	claims := ExamClaims{ExamID: examID, PatientID: p.ID, ExamType: t}
	var issued Issued
	if issued.ExamToken, err = s.Tokens.IssueExamToken(claims); err != nil {
		return Exam{}, Issued{}, err
	}
	if issued.LabelCode, err = s.Tokens.IssueLabelCode(claims); err != nil {
		return Exam{}, Issued{}, err
	}
	e, err := s.Exams.Transition(ctx, Transition{
		ExamID: examID, PatientID: p.ID, ExamType: t,
		From: []Status{StatusRegistered}, To: StatusStarted, At: s.Now().UTC(), By: by,
	})
	var conflict *ConflictError
	if errors.As(err, &conflict) && startedAlready(conflict.Current, p.ID, t) {
		return conflict.Current, issued, nil
	}
	if err != nil {
		return Exam{}, Issued{}, classifyConflict(err, p.ID, t)
	}
	observerOr(s.Observer).ExamStarted(ctx)
	return e, issued, nil
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
