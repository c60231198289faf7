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

	"github.com/zmed/exam-manager/shared/audit"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/logctx"
	"github.com/zmed/exam-manager/shared/metrics"
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
// by is the caller, read from the authorizer's claims by Serve.
type Func func(ctx context.Context, by exam.Actor, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

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

// Error returns the response for err and logs it: 5xx with the error, 4xx with
// the code only.
func Error(ctx context.Context, err error) events.APIGatewayV2HTTPResponse {
	resp, _ := respond(ctx, err)
	return resp
}

// respond is Error that also returns the error code, for the audit line.
func respond(ctx context.Context, err error) (events.APIGatewayV2HTTPResponse, string) {
	f := failureOf(err)
	if f.Status >= 500 {
		slog.ErrorContext(ctx, "request failed", "status", f.Status, "code", f.Code, "error", logctx.ErrorText(err))
	} else {
		slog.InfoContext(ctx, "request refused", "status", f.Status, "code", f.Code)
	}
	var body errorBody
	body.Error.Code, body.Error.Message = f.Code, f.Message
	return JSON(f.Status, body), f.Code
}

// Route is one HTTP route of the API.
type Route struct{ Method, Path string }

func (r Route) String() string { return r.Method + " " + r.Path }

// Serve wraps h for the Lambda of route: it names the request in logs, answers
// a request for another route with 404 or 405, reads the caller from the
// authorizer's claims (refusing a call without them), maps the error h returns
// to its response, turns a panic into a 500, and writes the call's one audit
// line with log (none for audit.None). The health event is answered first,
// with no call of h and no audit line (it is no call on anyone's data).
func Serve(route Route, action audit.Action, log audit.Writer, h Func) Handler {
	return func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, err error) {
		if resp, ok := HealthAnswer(ctx, req); ok {
			return resp, nil
		}
		ctx = logctx.WithRequestID(ctx, req.RequestContext.RequestID)
		call := &callRecord{}
		ctx = context.WithValue(ctx, callKey{}, call)
		var actor exam.Actor
		outcome := exam.CodeInternal
		defer func() {
			if p := recover(); p != nil {
				resp, outcome = respond(call.named(ctx), fmt.Errorf("panic: %v", p))
				err = nil
			}
			if action != audit.None {
				log.Write(ctx, audit.Entry{Action: action, Actor: actor, ExamID: call.examID, PatientID: call.patientID, Outcome: outcome})
			}
		}()
		switch method, path := requestRoute(req); {
		case path != route.Path:
			resp, outcome = respond(ctx, ErrRouteNotFound)
			return resp, nil
		case method != route.Method:
			resp, outcome = respond(ctx, ErrMethodNotAllowed)
			return resp, nil
		}
		if actor, err = ActorOf(req); err != nil {
			// Counted for the alarm: a route deployed without the authorizer.
			metrics.Emit(ctx, metrics.One(metrics.ApiCallsWithoutClaims))
			resp, outcome = respond(ctx, err)
			return resp, nil
		}
		if resp, err = h(ctx, actor, req); err != nil {
			resp, outcome = respond(call.named(ctx), err)
			return resp, nil
		}
		outcome = audit.OK
		return resp, nil
	}
}

// ByRoute is the handler of a Lambda that serves several routes: each request
// goes to the handler of its route, any other to fallback, which answers it.
func ByRoute(routes map[Route]Handler, fallback Handler) Handler {
	return func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		method, path := requestRoute(req)
		if h, ok := routes[Route{Method: method, Path: path}]; ok {
			return h(ctx, req)
		}
		return fallback(ctx, req)
	}
}

// callRecord keeps what a handler learnt of the exam and the patient, for the
// line Serve logs when the handler returns an error (the handler's own context
// is gone by then) and for the audit line.
type callRecord struct{ examID, patientID string }

type callKey struct{}

func (c *callRecord) named(ctx context.Context) context.Context {
	if c.examID == "" {
		return ctx
	}
	return logctx.WithExamID(ctx, c.examID)
}

func recordOf(ctx context.Context) *callRecord {
	if c, ok := ctx.Value(callKey{}).(*callRecord); ok {
		return c
	}
	return &callRecord{}
}

// WithExamID returns ctx naming the exam in later log lines, including the one
// Serve logs for the error the handler returns and the audit line. An id that
// is not a UUID is named nowhere.
func WithExamID(ctx context.Context, id string) context.Context {
	ctx = logctx.WithExamID(ctx, id)
	if named := logctx.ExamID(ctx); named != "" {
		recordOf(ctx).examID = named
	}
	return ctx
}

// Touched records, for the audit line, the exam a call reached and its patient.
func Touched(ctx context.Context, e exam.Exam) context.Context {
	ctx = WithExamID(ctx, e.ID)
	WithPatientID(ctx, e.PatientID)
	return ctx
}

// WithPatientID records, for the audit line, the patient (the patient
// manager's id, never the CPF) whose data the call reached.
func WithPatientID(ctx context.Context, id string) {
	if id != "" {
		recordOf(ctx).patientID = id
	}
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
