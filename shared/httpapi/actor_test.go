package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/metrics"
	"github.com/zmed/exam-manager/shared/testsupport/emftest"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// TestCallWithoutClaimsIsRefused: on every route a call that reached the
// handler without usable authorizer claims (a route deployed without the
// authorizer) is a 500, changes nothing, and logs the error line the alarm
// matches; it is never served as an anonymous caller.
func TestCallWithoutClaimsIsRefused(t *testing.T) {
	unusable := map[string]func(req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest{
		"no authorizer": func(req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
			req.RequestContext.Authorizer = nil
			return req
		},
		"an IAM authorizer, no JWT": func(req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
			req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{}
			return req
		},
		"claims without sub": func(req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
			req.RequestContext.Authorizer.JWT.Claims = map[string]string{"username": "ana"}
			return req
		},
		"a sub that is an e-mail address": func(req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
			req.RequestContext.Authorizer.JWT.Claims = map[string]string{"sub": "maria.silva@example.com", "username": "ana"}
			return req
		},
	}
	for _, e := range Endpoints() {
		for name, strip := range unusable {
			t.Run(e.Route.String()+"/"+name, func(t *testing.T) {
				h := newHarness(t)
				req := strip(validRequests(h)[e.Route])
				before := h.everything()
				buf := logtest.Capture(t)
				h.call(h.handlers[e.Route], req).expect(t, 500, "INTERNAL")
				if after := h.everything(); !reflect.DeepEqual(after, before) {
					t.Fatalf("a call without claims changed the store:\nbefore %+v\n after %+v", before, after)
				}
				alarmed := false
				for _, rec := range records(t, buf.String()) {
					if rec["level"] == "ERROR" && strings.HasPrefix(rec["error"].(string), apigw.ErrNoClaims.Error()) {
						alarmed = true
					}
				}
				if !alarmed {
					t.Fatalf("no ERROR line starting %q: %s", apigw.ErrNoClaims, buf)
				}
				// The count the alarm watches, as CloudWatch reads it.
				points, err := emftest.Read(buf.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				if n := emftest.Sums(points)[string(metrics.ApiCallsWithoutClaims)+"{}"]; n != 1 {
					t.Fatalf("%s counted %v times, want 1: %s", metrics.ApiCallsWithoutClaims, n, buf)
				}
			})
		}
	}
}

// TestHistoryNamesTheCaller: each step's history entry names the attendant of
// the authorizer's claims (username or cognito:username as the name) and is
// rendered as docs/api.md shows.
func TestHistoryNamesTheCaller(t *testing.T) {
	h := newHarness(t)
	p := fakes.ActiveSMS
	r := h.call(h.register, as(fakes.Attendant, post(RegisterExam.Route, js(map[string]any{"document": p.Document, "exam_type": 2}))))
	r.expect(t, 201, "")
	id := r.body["exam_id"].(string)
	start := as(fakes.OtherAttendant, post(StartExam.Route, js(map[string]any{"document": p.Document, "exam_id": id, "exam_type": 2})))
	start.RequestContext.Authorizer.JWT.Claims = map[string]string{"sub": fakes.OtherAttendant.ID, "cognito:username": fakes.OtherAttendant.Name}
	r = h.call(h.start, start)
	r.expect(t, 200, "")
	tok := r.body["exam_token"].(string)
	r = h.call(h.communicate, as(fakes.Attendant, post(CommunicateResult.Route, js(map[string]string{"exam_token": tok, "result_token": h.resultToken(id)}))))
	r.expect(t, 200, "")

	view := r.body["exam"].(map[string]any)
	want := []any{
		map[string]any{"status": "Registered", "at": view["created_at"], "by": map[string]any{"kind": "attendant", "id": fakes.Attendant.ID, "name": fakes.Attendant.Name}},
		map[string]any{"status": "Started", "at": view["started_at"], "by": map[string]any{"kind": "attendant", "id": fakes.OtherAttendant.ID, "name": fakes.OtherAttendant.Name}},
		map[string]any{"status": "Finished", "at": view["finished_at"], "by": map[string]any{"kind": "attendant", "id": fakes.Attendant.ID, "name": fakes.Attendant.Name}},
	}
	got := view["history"]
	if !reflect.DeepEqual(got, want) {
		gotJSON, _ := json.Marshal(got)
		t.Fatalf("history %s, want %s", gotJSON, js(want))
	}
}

// TestExamWithoutHistory: an exam stored before history was kept renders with
// an empty history and still transitions, gaining its first entry.
func TestExamWithoutHistory(t *testing.T) {
	h := newHarness(t)
	legacy := exam.Exam{ID: "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", PatientID: fakes.ActiveSMS.ID, PatientDocument: fakes.ActiveSMS.Document,
		Type: 3, Status: exam.StatusRegistered, CreatedAt: epoch, UpdatedAt: epoch}
	if err := h.store.Create(context.Background(), legacy); err != nil {
		t.Fatal(err)
	}
	r := h.call(h.list, get(map[string]string{"document": fakes.ActiveSMS.Document}))
	r.expect(t, 200, "")
	if history := r.body["exams"].([]any)[0].(map[string]any)["history"]; !reflect.DeepEqual(history, []any{}) {
		t.Fatalf("history of an exam without one: %v, want []", history)
	}
	r = h.call(h.revoke, post(RevokeExam.Route, js(map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": legacy.ID, "reason": "old"})))
	r.expect(t, 200, "")
	if history, _ := r.body["history"].([]any); len(history) != 1 || history[0].(map[string]any)["status"] != "Revoked" {
		t.Fatalf("history after revoking: %v", r.body["history"])
	}
}

// everything is every exam of the fixture patients, as stored.
func (h *harness) everything() []exam.Exam {
	h.t.Helper()
	var all []exam.Exam
	for _, p := range []exam.Patient{fakes.ActiveSMS, fakes.ActiveEmail, fakes.ActiveNone, fakes.Pending, fakes.Inactive} {
		page, err := h.store.Store.ListByPatient(context.Background(), p.ID, exam.MaxPageSize, nil)
		if err != nil {
			h.t.Fatal(err)
		}
		all = append(all, page.Exams...)
	}
	return all
}

// records parses JSON log lines.
func records(t testing.TB, logs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		out = append(out, rec)
	}
	return out
}
