package exam

import "errors"

// The stable codes of the domain's errors: the API answers with them and the
// audit lines of both paths record them. How each shows over HTTP (status and
// message) is the API's error table (shared/apigw), keyed by these codes.
const (
	CodeInvalidRequest       = "INVALID_REQUEST"
	CodeInvalidDocument      = "INVALID_DOCUMENT"
	CodePatientNotFound      = "PATIENT_NOT_FOUND"
	CodeExamNotFound         = "EXAM_NOT_FOUND"
	CodeInvalidTransition    = "INVALID_TRANSITION"
	CodePatientNotActive     = "PATIENT_NOT_ACTIVE"
	CodeUnknownExamType      = "UNKNOWN_EXAM_TYPE"
	CodeExamTypeMismatch     = "EXAM_TYPE_MISMATCH"
	CodeInvalidToken         = "INVALID_TOKEN"
	CodeTokenMismatch        = "TOKEN_MISMATCH"
	CodeIdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED"
	CodeDependency           = "DEPENDENCY_UNAVAILABLE"
	// A hand-in of a document that is neither a PDF, a JPEG nor a PNG.
	CodeUnsupportedDocumentType = "UNSUPPORTED_DOCUMENT_TYPE"
	// A payload over its limit: the HTTP layer's own (a request body) and a hand-in's declared size.
	CodePayloadTooLarge = "PAYLOAD_TOO_LARGE"
	// Only the automatic path's audit lines show this one: the API answers
	// the exam as finished (another request is sending its notification).
	CodeNotificationInProgress = "NOTIFICATION_IN_PROGRESS"
	// CodeInternal is the code of an error that is none of the domain's.
	CodeInternal = "INTERNAL"
)

// codes classify the domain's errors, first match wins. An error that refines
// another (an expired token, a cursor of another patient) has its code.
var codes = []struct {
	err  error
	code string
}{
	{ErrInvalidRequest, CodeInvalidRequest},
	{ErrInvalidDocument, CodeInvalidDocument},
	{ErrPatientNotFound, CodePatientNotFound},
	{ErrExamNotFound, CodeExamNotFound},
	{ErrInvalidTransition, CodeInvalidTransition},
	{ErrPatientNotActive, CodePatientNotActive},
	{ErrUnknownExamType, CodeUnknownExamType},
	{ErrExamTypeMismatch, CodeExamTypeMismatch},
	{ErrInvalidToken, CodeInvalidToken},
	{ErrTokenMismatch, CodeTokenMismatch},
	{ErrIdempotencyKeyReused, CodeIdempotencyKeyReused},
	{ErrDependency, CodeDependency},
	{ErrUnsupportedDocumentType, CodeUnsupportedDocumentType},
	{ErrTooLarge, CodePayloadTooLarge},
	{ErrNotificationClaimed, CodeNotificationInProgress},
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

// Codes is every code Code returns, CodeInternal last.
func Codes() []string {
	out := make([]string, 0, len(codes)+1)
	for _, c := range codes {
		out = append(out, c.code)
	}
	return append(out, CodeInternal)
}
