package exam

import "errors"

// CodeInternal is the code of an error that is none of the domain's.
const CodeInternal = "INTERNAL"

// codes are the stable codes of the domain's errors (SPEC §3), first match
// wins: the API answers with them and the audit lines of both paths record them.
var codes = []struct {
	err  error
	code string
}{
	{ErrInvalidRequest, "INVALID_REQUEST"},
	{ErrInvalidCursor, "INVALID_REQUEST"},
	{ErrInvalidDocument, "INVALID_DOCUMENT"},
	{ErrPatientNotFound, "PATIENT_NOT_FOUND"},
	{ErrExamNotFound, "EXAM_NOT_FOUND"},
	{ErrInvalidTransition, "INVALID_TRANSITION"},
	{ErrPatientNotActive, "PATIENT_NOT_ACTIVE"},
	{ErrUnknownExamType, "UNKNOWN_EXAM_TYPE"},
	{ErrExamTypeMismatch, "EXAM_TYPE_MISMATCH"},
	{ErrInvalidToken, "INVALID_TOKEN"},
	{ErrTokenMismatch, "TOKEN_MISMATCH"},
	{ErrPatientMismatch, "TOKEN_MISMATCH"},
	{ErrIdempotencyKeyReused, "IDEMPOTENCY_KEY_REUSED"},
	{ErrDependency, "DEPENDENCY_UNAVAILABLE"},
	// Only the automatic path's audit lines show this one: the API answers
	// the exam as finished (another request is sending its notification).
	{ErrNotificationClaimed, "NOTIFICATION_IN_PROGRESS"},
}

// Code is the stable code of err, CodeInternal for an error the domain does not know.
func Code(err error) string {
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return CodeInternal
}
