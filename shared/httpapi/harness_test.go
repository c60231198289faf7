package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/zmed/exam-manager/shared/audit"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/cursor"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/handin"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/telemetry"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/memstore"
	"github.com/zmed/exam-manager/shared/token"
)

var (
	examKey = []byte("test-exam-token-key-0123456789abcdef")
	// auditWriter names attendants whose id is not a UUID by their pseudonym.
	auditWriter = must(audit.NewWriter([]byte("test-actor-pseudonym-key-0123456789abcdef")))
	resultKey   = []byte("test-result-token-key-0123456789abcdef")
	epoch       = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
)

// harness wires the real handlers to the in-memory store, a fake patient
// manager and a recording notifier.
type harness struct {
	t        testing.TB
	store    *fakes.FaultyStore
	patients *fakes.Patients
	notifier *fakes.Notifier
	clock    *fakes.Clock
	issuer   *token.Issuer
	verifier *token.Verifier
	// The results bucket as the hand-in routes see it.
	presigner *fakePresigner
	objects   *fakeObjects

	// handlers are built from the endpoint table, as every host builds them.
	handlers                                             map[apigw.Route]apigw.Handler
	register, list, start, communicate, revoke, worklist apigw.Handler
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	h := &harness{
		t:        t,
		store:    fakes.NewFaultyStore(memstore.New()),
		patients: fakes.AllPatients(),
		notifier: &fakes.Notifier{},
		clock:    fakes.NewClock(epoch),

		presigner: &fakePresigner{},
		objects:   &fakeObjects{heads: map[string]handin.Head{}},
	}
	var err error
	if h.issuer, err = token.NewIssuer(examKey, token.DefaultExamTokenTTL, h.clock.Now); err != nil {
		t.Fatal(err)
	}
	if h.verifier, err = token.NewVerifier(examKey, resultKey, h.clock.Now); err != nil {
		t.Fatal(err)
	}
	h.handlers = Handlers(Ports{
		Audit:    auditWriter,
		Patients: h.patients, Exams: h.store, Cursors: cursor.ForListing(cursor.New(examKey)), WorklistCursors: cursor.ForWorklist(examKey), Tokens: h.issuer, Now: h.clock.Now, NewID: fakes.NewID,
		Finish:   exam.Finish{Tokens: h.verifier, Exams: h.store, Patients: h.patients, Notifier: h.notifier, Now: h.clock.Now, NewID: fakes.NewID, Observer: telemetry.Observer{}},
		Uploads:  handin.Forms{Bucket: testBucket, Completed: resultfiling.DefaultFolders.Completed, Presign: h.presigner, Now: h.clock.Now},
		Outcomes: handin.Outcomes{Bucket: testBucket, Folders: resultfiling.DefaultFolders, Objects: h.objects, Now: h.clock.Now},
	})
	h.register, h.list, h.start = h.handlers[RegisterExam.Route], h.handlers[ListExams.Route], h.handlers[StartExam.Route]
	h.communicate, h.revoke = h.handlers[CommunicateResult.Route], h.handlers[RevokeExam.Route]
	h.worklist = h.handlers[ExamWorklist.Route]
	return h
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

var errStoreDown = errors.New("dynamodb: connection reset by peer at 10.0.0.7:443")

// post builds the API Gateway v2 event of a POST with a JSON body, made by
// fakes.Attendant (as); the authorizer's claims are where API Gateway puts them.
func post(route apigw.Route, body string) events.APIGatewayV2HTTPRequest {
	return as(fakes.Attendant, events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: route.String(), RawPath: route.Path, Body: body,
		Headers: map[string]string{"content-type": "application/json"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "req-" + route.Path,
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: route.Method, Path: route.Path},
		},
	})
}

// as returns req made by the attendant a.
func as(a exam.Actor, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
	req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: fakes.ClaimsOf(a)},
	}
	return req
}

// getRoute builds the event of a GET of route without a query.
func getRoute(route apigw.Route) events.APIGatewayV2HTTPRequest {
	req := post(route, "")
	req.Headers = nil
	return req
}

// get builds the event of GET /exams/info with query parameters.
func get(query map[string]string) events.APIGatewayV2HTTPRequest {
	return getAt(ListExams.Route, query)
}

// getAt builds the event of a GET of route with query parameters.
func getAt(route apigw.Route, query map[string]string) events.APIGatewayV2HTTPRequest {
	req := getRoute(route)
	req.QueryStringParameters = query
	v := url.Values{}
	for k, x := range query {
		v.Set(k, x)
	}
	req.RawQueryString = v.Encode()
	return req
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

type reply struct {
	status  int
	headers map[string]string
	body    map[string]any
	raw     string
}

func (h *harness) call(handler apigw.Handler, req events.APIGatewayV2HTTPRequest) reply {
	h.t.Helper()
	resp, err := handler(context.Background(), req)
	if err != nil {
		h.t.Fatalf("handler returned an error instead of a response: %v", err)
	}
	if resp.Headers["Content-Type"] != "application/json" {
		h.t.Errorf("Content-Type = %q", resp.Headers["Content-Type"])
	}
	r := reply{status: resp.StatusCode, headers: resp.Headers, raw: resp.Body}
	if err := json.Unmarshal([]byte(resp.Body), &r.body); err != nil {
		h.t.Fatalf("body is not a JSON object: %q", resp.Body)
	}
	return r
}

// code returns the error code of an error reply, "" for a success.
func (r reply) code() string {
	e, _ := r.body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// expect checks status and error code ("" for a success).
func (r reply) expect(t testing.TB, status int, code string) {
	t.Helper()
	if r.status != status || r.code() != code {
		t.Fatalf("got %d %q, want %d %q; body %s", r.status, r.code(), status, code, r.raw)
	}
	if code != "" {
		msg, _ := r.body["error"].(map[string]any)["message"].(string)
		if msg == "" || strings.Contains(r.raw, "10.0.0.7") || strings.Contains(r.raw, "panic") {
			t.Fatalf("error body %s has no message or leaks internals", r.raw)
		}
	}
}

// registered registers an exam through the handler and returns its id.
func (h *harness) registered(p exam.Patient, examType int) string {
	h.t.Helper()
	r := h.call(h.register, post(RegisterExam.Route, js(map[string]any{"document": p.Document, "exam_type": examType})))
	r.expect(h.t, 201, "")
	return r.body["exam_id"].(string)
}

// started registers and starts an exam and returns its id and exam token.
func (h *harness) started(p exam.Patient, examType int) (string, string) {
	h.t.Helper()
	id, r := h.start200(p, examType)
	return id, r.body["exam_token"].(string)
}

// labelled starts an exam and returns its id and its label code.
func (h *harness) labelled(p exam.Patient, examType int) (string, string) {
	h.t.Helper()
	id, r := h.start200(p, examType)
	return id, r.body["label_code"].(string)
}

func (h *harness) start200(p exam.Patient, examType int) (string, reply) {
	h.t.Helper()
	id := h.registered(p, examType)
	r := h.call(h.start, post(StartExam.Route, js(map[string]any{"document": p.Document, "exam_id": id, "exam_type": examType})))
	r.expect(h.t, 200, "")
	return id, r
}

func (h *harness) resultToken(examID string) string {
	h.t.Helper()
	tok, err := token.MintResultToken(resultKey, examID, h.clock.Now(), time.Hour)
	if err != nil {
		h.t.Fatal(err)
	}
	return tok
}

func (h *harness) stored(id string) exam.Exam {
	h.t.Helper()
	e, err := h.store.Store.Get(context.Background(), id)
	if err != nil {
		h.t.Fatalf("stored exam %s: %v", id, err)
	}
	return e
}
