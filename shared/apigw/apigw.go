// Package apigw adapts handlers to API Gateway HTTP API (payload format 2.0)
// events: request bodies and their limit, JSON decoding, JSON responses, and the
// one mapping from domain errors to the API's status codes and error codes.
package apigw

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/logctx"
	"github.com/zmed/exam-manager/shared/strictjson"
)

// MaxBody is the largest request body accepted.
const MaxBody = 64 << 10

// Handler handles one API Gateway v2 HTTP request, as a Lambda. The handlers
// Serve makes always return a nil error: a Lambda error would reach the caller
// as API Gateway's bare 500.
type Handler func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Func is one route's own work: the response, or the error that Serve turns
// into one with Error, the one place where errors become responses.
type Func func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Errors of the HTTP layer itself.
var (
	ErrPayloadTooLarge  = errors.New("request body too large")
	ErrRouteNotFound    = errors.New("route not found")
	ErrMethodNotAllowed = errors.New("method not allowed")
)

// DecodeJSON decodes the request body, exactly one JSON object, into v (a
// pointer to a struct). Members are matched by their exact names; unknown ones
// are ignored. Bad JSON, trailing data, a member given twice or a wrong type is
// an invalid request.
func DecodeJSON(req events.APIGatewayV2HTTPRequest, v any) error {
	body := req.Body
	if len(body) > base64.StdEncoding.EncodedLen(MaxBody) {
		return ErrPayloadTooLarge
	}
	if req.IsBase64Encoded {
		raw, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return exam.InvalidRequest("body is not valid base64")
		}
		body = string(raw)
	}
	if len(body) > MaxBody {
		return ErrPayloadTooLarge
	}
	err := strictjson.Unmarshal([]byte(body), v)
	var fieldErr *strictjson.FieldError
	switch {
	case errors.As(err, &fieldErr):
		return exam.InvalidRequest(fmt.Sprintf("field %q has the wrong type", fieldErr.Name))
	case errors.Is(err, strictjson.ErrDuplicate):
		return exam.InvalidRequest("body has a member twice")
	case err != nil:
		return exam.InvalidRequest("body is not one JSON object")
	}
	return nil
}

// JSON returns a response with v as its JSON body.
func JSON(status int, v any) events.APIGatewayV2HTTPResponse {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":{"code":"INTERNAL","message":"internal error"}}`)
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers: map[string]string{
			"Content-Type":           "application/json",
			"Cache-Control":          "no-store",
			"X-Content-Type-Options": "nosniff",
		},
		Body: string(body),
	}
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// failure is how one kind of error shows to the caller.
type failure struct {
	err     error
	status  int
	code    string
	message string
}

// failures maps errors to statuses and codes, first match wins. Messages are
// fixed text: an error's own text can carry internal detail and never reaches a client.
var failures = []failure{
	{ErrPayloadTooLarge, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "request body is larger than 64 KiB"},
	{ErrRouteNotFound, http.StatusNotFound, "ROUTE_NOT_FOUND", "no such route"},
	{ErrMethodNotAllowed, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "method not allowed on this route"},
	{exam.ErrInvalidRequest, http.StatusBadRequest, "INVALID_REQUEST", "invalid request"},
	{exam.ErrInvalidCursor, http.StatusBadRequest, "INVALID_REQUEST", "cursor is not valid for this listing"},
	{exam.ErrInvalidDocument, http.StatusBadRequest, "INVALID_DOCUMENT", "document is not a valid CPF"},
	{exam.ErrPatientNotFound, http.StatusNotFound, "PATIENT_NOT_FOUND", "patient not found"},
	{exam.ErrExamNotFound, http.StatusNotFound, "EXAM_NOT_FOUND", "exam not found"},
	{exam.ErrInvalidTransition, http.StatusConflict, "INVALID_TRANSITION", "exam is not in a state that allows this action"},
	{exam.ErrPatientNotActive, http.StatusUnprocessableEntity, "PATIENT_NOT_ACTIVE", "patient is not active"},
	{exam.ErrUnknownExamType, http.StatusUnprocessableEntity, "UNKNOWN_EXAM_TYPE", "exam type is not in the catalog"},
	{exam.ErrExamTypeMismatch, http.StatusUnprocessableEntity, "EXAM_TYPE_MISMATCH", "exam type does not match the exam"},
	{exam.ErrInvalidToken, http.StatusUnprocessableEntity, "INVALID_TOKEN", "token is invalid or expired"},
	{exam.ErrTokenMismatch, http.StatusUnprocessableEntity, "TOKEN_MISMATCH", "tokens do not name the same exam"},
	{exam.ErrPatientMismatch, http.StatusUnprocessableEntity, "TOKEN_MISMATCH", "token does not match the exam's patient"},
	{exam.ErrIdempotencyKeyReused, http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key was used for another request"},
	{exam.ErrDependency, http.StatusServiceUnavailable, "DEPENDENCY_UNAVAILABLE", "a service the exam manager depends on is unavailable; try again later"},
}

// Error returns the response for err and logs it: 5xx with the error, 4xx with
// the code only.
func Error(ctx context.Context, err error) events.APIGatewayV2HTTPResponse {
	f := failure{status: http.StatusInternalServerError, code: "INTERNAL", message: "internal error"}
	for _, candidate := range failures {
		if errors.Is(err, candidate.err) {
			f = candidate
			break
		}
	}
	var reqErr *exam.RequestError
	if errors.As(err, &reqErr) {
		f.message = reqErr.Message
	}
	if f.status >= 500 {
		slog.ErrorContext(ctx, "request failed", "status", f.status, "code", f.code, "error", err.Error())
	} else {
		slog.InfoContext(ctx, "request refused", "status", f.status, "code", f.code)
	}
	var body errorBody
	body.Error.Code, body.Error.Message = f.code, f.message
	return JSON(f.status, body)
}

// Route is one HTTP route of the API.
type Route struct{ Method, Path string }

func (r Route) String() string { return r.Method + " " + r.Path }

// Serve wraps h for the Lambda of route: it names the request in logs, answers
// a request for another route with 404 or 405, maps the error h returns to its
// response, and turns a panic into a 500.
func Serve(route Route, h Func) Handler {
	return func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, err error) {
		ctx = logctx.WithRequestID(ctx, req.RequestContext.RequestID)
		slot := &examSlot{}
		ctx = context.WithValue(ctx, examSlotKey{}, slot)
		defer func() {
			if p := recover(); p != nil {
				resp, err = Error(slot.named(ctx), fmt.Errorf("panic: %v", p)), nil
			}
		}()
		switch method, path := requestRoute(req); {
		case path != route.Path:
			return Error(ctx, ErrRouteNotFound), nil
		case method != route.Method:
			return Error(ctx, ErrMethodNotAllowed), nil
		}
		if resp, err = h(ctx, req); err != nil {
			return Error(slot.named(ctx), err), nil
		}
		return resp, nil
	}
}

// examSlot keeps the exam id a handler named, for the line Serve logs when the
// handler returns an error (the handler's own context is gone by then).
type examSlot struct{ id string }

type examSlotKey struct{}

func (s *examSlot) named(ctx context.Context) context.Context {
	if s.id == "" {
		return ctx
	}
	return logctx.WithExamID(ctx, s.id)
}

// WithExamID returns ctx naming the exam in later log lines, including the one
// Serve logs for the error the handler returns.
func WithExamID(ctx context.Context, id string) context.Context {
	if s, ok := ctx.Value(examSlotKey{}).(*examSlot); ok {
		s.id = id
	}
	return logctx.WithExamID(ctx, id)
}

// requestRoute reads the method and path of an HTTP API v2 event. The route key
// is preferred: unlike the raw path it does not carry a stage name.
func requestRoute(req events.APIGatewayV2HTTPRequest) (method, path string) {
	if m, p, ok := strings.Cut(req.RouteKey, " "); ok {
		return m, p
	}
	method, path = req.RequestContext.HTTP.Method, req.RawPath
	if path == "" {
		path = req.RequestContext.HTTP.Path
	}
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	return method, path
}
