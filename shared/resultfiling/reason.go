package resultfiling

import (
	"errors"

	"github.com/zmed/exam-manager/shared/exam"
)

// Reason says why a result was filed where it is (docs/results.md): the user metadata
// zmed-reason of every filed object.
type Reason string

// The reasons, spelled as docs/results.md spells them.
const (
	Finished              Reason = "finished" // processed
	MissingTokens         Reason = "missing_tokens"
	UnreadableBody        Reason = "unreadable_body"
	DocumentTooLarge      Reason = "document_too_large"
	InvalidExamToken      Reason = "invalid_exam_token"
	InvalidResultToken    Reason = "invalid_result_token"
	TokenExpired          Reason = "token_expired"
	TokensMismatch        Reason = "tokens_mismatch"
	UnknownExam           Reason = "unknown_exam"
	ExamTypeMismatch      Reason = "exam_type_mismatch"
	NotStarted            Reason = "not_started"
	FinishedByOtherResult Reason = "finished_by_other_result"
	Unfileable            Reason = "unfileable"
	PatientUnknown        Reason = "patient_unknown" // denied
	PatientNotActive      Reason = "patient_not_active"
	PatientMismatch       Reason = "patient_mismatch"
	ExamRevoked           Reason = "exam_revoked" // deleted
)

// Reasons are all the reasons, in docs/results.md's order.
var Reasons = []Reason{
	Finished, MissingTokens, UnreadableBody, DocumentTooLarge, InvalidExamToken, InvalidResultToken, TokenExpired, TokensMismatch,
	UnknownExam, ExamTypeMismatch, NotStarted, FinishedByOtherResult, Unfileable,
	PatientUnknown, PatientNotActive, PatientMismatch, ExamRevoked,
}

// Outcome is the folder a result filed for r goes to.
func (r Reason) Outcome() Outcome {
	switch r {
	case Finished:
		return Processed
	case PatientUnknown, PatientNotActive, PatientMismatch:
		return Denied
	case ExamRevoked:
		return Deleted
	}
	return Stuck
}

// Problems with an object's tokens, reported by Objects.Read in Object.TokenProblem.
var (
	ErrNoTokens       = errors.New("result object carries no tokens")
	ErrUnreadableBody = errors.New("result body cannot be read for tokens")
	// ErrDocumentTooLarge: the document had to be read and is beyond a limit
	// (size, pages, pixels or time). Permanent: never retried.
	ErrDocumentTooLarge = errors.New("result document beyond the limits")
)

// tokenReason is the reason for an object whose tokens could not be read.
func tokenReason(problem error) Reason {
	switch {
	case errors.Is(problem, ErrDocumentTooLarge):
		return DocumentTooLarge
	case errors.Is(problem, ErrUnreadableBody):
		return UnreadableBody
	}
	return MissingTokens
}

// refusals are the use case's errors that file a result for good; the first
// match wins (an expired token is also an invalid one, a revoked exam also an
// invalid transition). Both bare sentinels at the end only catch a Finisher
// that says less than exam.Finish does.
var refusals = []struct {
	err    error
	reason Reason
}{
	{exam.ErrExamRevoked, ExamRevoked},
	{exam.ErrPatientNotFound, PatientUnknown},
	{exam.ErrPatientNotActive, PatientNotActive},
	{exam.ErrPatientMismatch, PatientMismatch},
	{exam.ErrTokenExpired, TokenExpired},
	{exam.ErrTokenMismatch, TokensMismatch},
	{exam.ErrExamNotFound, UnknownExam},
	{exam.ErrExamTypeMismatch, ExamTypeMismatch},
	{exam.ErrNotStarted, NotStarted},
	{exam.ErrFinishedByOtherResult, FinishedByOtherResult},
	{exam.ErrInvalidTransition, NotStarted},
	{exam.ErrInvalidToken, InvalidExamToken},
}

// refusalReason maps the use case's error to a reason. ok is false for any
// other error: dependencies down, a notification being sent by another
// delivery, or the unforeseen are transient, and Lambda retries.
func refusalReason(err error) (reason Reason, ok bool) {
	if err == nil {
		return Finished, true
	}
	var tokenErr *exam.TokenError
	if errors.As(err, &tokenErr) && errors.Is(err, exam.ErrInvalidToken) && !errors.Is(err, exam.ErrTokenExpired) {
		if tokenErr.Kind == exam.ResultToken {
			return InvalidResultToken, true
		}
		return InvalidExamToken, true
	}
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			return r.reason, true
		}
	}
	return "", false
}
