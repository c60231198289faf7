package exam

import (
	"errors"
	"fmt"
)

// Domain errors. Adapters wrap these (with %w) so that callers map them with errors.Is.
var (
	ErrInvalidRequest      = errors.New("invalid request")
	ErrInvalidDocument     = errors.New("invalid document")
	ErrPatientNotFound     = errors.New("patient not found")
	ErrPatientNotActive    = errors.New("patient is not active")
	ErrExamNotFound        = errors.New("exam not found")
	ErrUnknownExamType     = errors.New("unknown exam type")
	ErrExamTypeMismatch    = errors.New("exam type does not match the exam")
	ErrInvalidTransition   = errors.New("exam is not in a state that allows this action")
	ErrInvalidToken        = errors.New("invalid token")
	ErrTokenMismatch       = errors.New("tokens do not name the same exam")
	ErrDependency          = errors.New("dependency unavailable")
	ErrExamAlreadyExists   = errors.New("exam already exists")
	ErrNotificationClaimed = errors.New("notification is being sent by another invocation")
	// ErrIdempotencyKeyReused: a register's Idempotency-Key was used before for
	// another document or exam type.
	ErrIdempotencyKeyReused = errors.New("idempotency key was used for another request")
	// ErrConflict is returned by a store when a conditional write's condition did
	// not hold; the use case then classifies the conflict.
	ErrConflict = errors.New("conditional write refused")
)

// Errors that refine another's code with a message of their own for the caller.
var (
	// ErrInvalidCursor: a listing's cursor is not one this patient's listing issued.
	ErrInvalidCursor error = &RequestError{Message: "cursor is not valid for this listing"}
	// ErrPatientMismatch: the token's patient is not the exam's, or the patient
	// manager returned another patient for the exam's document.
	ErrPatientMismatch error = &RequestError{Kind: ErrTokenMismatch, Message: "token does not match the exam's patient"}
)

// Why a result cannot finish its exam, for the S3 processing to file it by
// reason (docs/results.md). Each wraps the error the API maps, so errors.Is with the
// wrapped error keeps holding.
var (
	// ErrTokenExpired: a token is well signed but past its exp (wraps ErrInvalidToken).
	ErrTokenExpired = fmt.Errorf("%w: token expired", ErrInvalidToken)
	// ErrNotStarted: the exam is Registered, not yet Started.
	ErrNotStarted = fmt.Errorf("%w: exam is not started", ErrInvalidTransition)
	// ErrFinishedByOtherResult: the exam is Finished by a different result.
	ErrFinishedByOtherResult = fmt.Errorf("%w: finished by another result", ErrInvalidTransition)
)

// TokenKind names one of the two tokens of a result.
type TokenKind string

// The two tokens.
const (
	ExamToken   TokenKind = "exam"
	ResultToken TokenKind = "result"
)

// TokenError says which token failed verification; Err wraps ErrInvalidToken
// (and ErrTokenExpired when that was the reason).
type TokenError struct {
	Kind TokenKind
	Err  error
}

func (e *TokenError) Error() string { return string(e.Kind) + " token: " + e.Err.Error() }

// Unwrap lets errors.Is(err, ErrInvalidToken) hold.
func (e *TokenError) Unwrap() error { return e.Err }

// ConflictError carries the exam as it was when a conditional write was refused.
type ConflictError struct{ Current Exam }

func (e *ConflictError) Error() string { return ErrConflict.Error() }

// Unwrap lets errors.Is(err, ErrConflict) hold.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// ExistsError is a refused Create: an exam with that id is stored already.
// Current is the stored exam when the store could tell it.
type ExistsError struct{ Current Exam }

func (e *ExistsError) Error() string { return ErrExamAlreadyExists.Error() }

// Unwrap lets errors.Is(err, ErrExamAlreadyExists) hold.
func (e *ExistsError) Unwrap() error { return ErrExamAlreadyExists }

// RequestError is a refused request with a message that is safe to show the
// caller, more precise than its code's. Its code is Kind's: ErrInvalidRequest
// unless set.
type RequestError struct {
	Message string
	Kind    error
}

func (e *RequestError) Error() string { return e.Unwrap().Error() + ": " + e.Message }

// Unwrap lets errors.Is(err, e.Kind) hold (ErrInvalidRequest by default).
func (e *RequestError) Unwrap() error {
	if e.Kind == nil {
		return ErrInvalidRequest
	}
	return e.Kind
}

// InvalidRequest returns a *RequestError with message.
func InvalidRequest(message string) error { return &RequestError{Message: message} }
