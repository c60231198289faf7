package apigw

import (
	"errors"
	"net/http"

	"github.com/zmed/exam-manager/shared/exam"
)

// The codes of the HTTP layer's own errors.
const (
	CodePayloadTooLarge  = exam.CodePayloadTooLarge
	CodeRouteNotFound    = "ROUTE_NOT_FOUND"
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	CodeUnauthenticated  = "UNAUTHENTICATED"
)

// ErrorRow is how one error code shows to a caller: its status and its fixed
// English message (an error's own text can carry internal detail and never
// reaches a client; an exam.RequestError's message replaces this one).
type ErrorRow struct {
	Code    string
	Status  int
	Message string
}

// ErrorTable is the API's one error table: every code a response can carry,
// the domain's (exam.Codes, but the audit-only NOTIFICATION_IN_PROGRESS) and
// the HTTP layer's. The console's Portuguese messages are held to it by a test.
var ErrorTable = []ErrorRow{
	{exam.CodeInvalidRequest, http.StatusBadRequest, "invalid request"},
	{exam.CodeInvalidDocument, http.StatusBadRequest, "document is not a valid CPF"},
	{exam.CodePatientNotFound, http.StatusNotFound, "patient not found"},
	{exam.CodeExamNotFound, http.StatusNotFound, "exam not found"},
	{CodeRouteNotFound, http.StatusNotFound, "no such route"},
	{CodeMethodNotAllowed, http.StatusMethodNotAllowed, "method not allowed on this route"},
	{exam.CodeInvalidTransition, http.StatusConflict, "exam is not in a state that allows this action"},
	{exam.CodePatientNotActive, http.StatusUnprocessableEntity, "patient is not active"},
	{exam.CodeUnknownExamType, http.StatusUnprocessableEntity, "exam type is not in the catalog"},
	{exam.CodeExamTypeMismatch, http.StatusUnprocessableEntity, "exam type does not match the exam"},
	{exam.CodeInvalidToken, http.StatusUnprocessableEntity, "token is invalid or expired"},
	{exam.CodeTokenMismatch, http.StatusUnprocessableEntity, "tokens do not name the same exam"},
	{exam.CodeIdempotencyKeyReused, http.StatusUnprocessableEntity, "Idempotency-Key was used for another request"},
	{exam.CodeUnsupportedDocumentType, http.StatusUnprocessableEntity, "document type is not PDF, JPEG or PNG"},
	{CodePayloadTooLarge, http.StatusRequestEntityTooLarge, "request body is larger than 64 KiB"},
	{CodeUnauthenticated, http.StatusUnauthorized, "bearer token is missing, invalid or expired"},
	{exam.CodeDependency, http.StatusServiceUnavailable, "a service the exam manager depends on is unavailable; try again later"},
	{exam.CodeInternal, http.StatusInternalServerError, "internal error"},
}

// Errors of the HTTP layer itself, each with its code.
var (
	ErrPayloadTooLarge  error = &httpError{CodePayloadTooLarge, "request body too large"}
	ErrRouteNotFound    error = &httpError{CodeRouteNotFound, "route not found"}
	ErrMethodNotAllowed error = &httpError{CodeMethodNotAllowed, "method not allowed"}
	// ErrUnauthenticated: no or a bad bearer token. In AWS the HTTP API's JWT
	// authorizer answers it before any Lambda runs; the local API emulates it.
	ErrUnauthenticated error = &httpError{CodeUnauthenticated, "unauthenticated"}
)

type httpError struct{ code, text string }

func (e *httpError) Error() string { return e.text }

// failureOf is the row of err's code and the message the caller sees. A code
// the table lacks shows as INTERNAL.
func failureOf(err error) ErrorRow {
	code := exam.Code(err)
	var own *httpError
	if errors.As(err, &own) {
		code = own.code
	}
	row, ok := ErrorRowOf(code)
	if !ok {
		row, _ = ErrorRowOf(exam.CodeInternal)
	}
	var reqErr *exam.RequestError
	if row.Code != exam.CodeInternal && errors.As(err, &reqErr) {
		row.Message = reqErr.Message
	}
	return row
}

// ErrorRowOf is code's row of ErrorTable.
func ErrorRowOf(code string) (ErrorRow, bool) {
	for _, r := range ErrorTable {
		if r.Code == code {
			return r, true
		}
	}
	return ErrorRow{}, false
}
