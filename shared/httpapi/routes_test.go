package httpapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
)

// TestErrorsEveryRouteCanProduce covers, for each route, the errors every route
// shares: a wrong method, an unexpected failure (500, no internal text; 503
// where the patient manager is the only port; none for the catalog), and for
// the POST routes a body over 64 KiB and malformed JSON.
func TestErrorsEveryRouteCanProduce(t *testing.T) {
	for _, e := range Endpoints() {
		route := e.Route
		t.Run(route.String(), func(t *testing.T) {
			h := newHarness(t)
			handler := h.handlers[route]
			req, ok := validRequests(h)[route]
			if !ok {
				t.Fatalf("no valid request for %s here: add one", route)
			}

			wrong := req
			wrong.RouteKey = "DELETE " + route.Path
			h.call(handler, wrong).expect(t, 405, "METHOD_NOT_ALLOWED")

			switch route {
			case FindPatient.Route:
				// It reaches the patient manager only, whose every failure is unavailability.
				h.patients.FailWith(fmt.Errorf("unexpected: answer from 10.0.0.7 is corrupt"))
				h.call(handler, req).expect(t, 503, "DEPENDENCY_UNAVAILABLE")
				h.patients.FailWith(nil)
			case ExamTypes.Route:
				// It reaches nothing that can fail: every port broken, it still answers.
				h.store.FailWith(fmt.Errorf("unexpected: item at 10.0.0.7 is corrupt"))
				h.patients.FailWith(fmt.Errorf("unexpected: answer from 10.0.0.7 is corrupt"))
				h.call(handler, req).expect(t, 200, "")
				h.store.FailWith(nil)
				h.patients.FailWith(nil)
			default:
				h.store.FailWith(fmt.Errorf("unexpected: item at 10.0.0.7 is corrupt"))
				h.call(handler, req).expect(t, 500, "INTERNAL")
				h.store.FailWith(nil)
			}

			if route.Method != "POST" {
				return
			}
			big := req
			big.Body = `{"pad": "` + strings.Repeat("x", 64<<10) + `"}`
			h.call(handler, big).expect(t, 413, "PAYLOAD_TOO_LARGE")
			bad := req
			bad.Body = `{"document": `
			h.call(handler, bad).expect(t, 400, "INVALID_REQUEST")
		})
	}
}

func TestCommunicatePatientAndTypeErrors(t *testing.T) {
	t.Run("patient unknown to the patient manager", func(t *testing.T) {
		h := newHarness(t)
		id, tok := h.started(fakes.ActiveSMS, 1)
		h.patients.Remove(fakes.ActiveSMS.Document)
		h.call(h.communicate, post(CommunicateResult.Route, js(map[string]string{"exam_token": tok, "result_token": h.resultToken(id)}))).
			expect(t, 404, "PATIENT_NOT_FOUND")
	})
	t.Run("token of another exam type", func(t *testing.T) {
		h := newHarness(t)
		id, _ := h.started(fakes.ActiveSMS, 1)
		tok, _ := h.issuer.IssueExamToken(exam.ExamClaims{ExamID: id, PatientID: fakes.ActiveSMS.ID, ExamType: 2})
		h.call(h.communicate, post(CommunicateResult.Route, js(map[string]string{"exam_token": tok, "result_token": h.resultToken(id)}))).
			expect(t, 422, "EXAM_TYPE_MISMATCH")
	})
}

// validRequests is a request each route answers with success, on exams it
// registers and starts first.
func validRequests(h *harness) map[apigw.Route]events.APIGatewayV2HTTPRequest {
	id, tok := h.started(fakes.ActiveSMS, 1)
	registered := h.registered(fakes.ActiveSMS, 1)
	return map[apigw.Route]events.APIGatewayV2HTTPRequest{
		RegisterExam.Route:      post(RegisterExam.Route, `{"document": "52998224725", "exam_type": 1}`),
		ListExams.Route:         get(map[string]string{"document": fakes.ActiveSMS.Document}),
		StartExam.Route:         post(StartExam.Route, js(map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": registered, "exam_type": 1})),
		CommunicateResult.Route: post(CommunicateResult.Route, js(map[string]string{"exam_token": tok, "result_token": h.resultToken(id)})),
		RevokeExam.Route:        post(RevokeExam.Route, js(map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": registered, "reason": "x"})),
		FindPatient.Route:       post(FindPatient.Route, `{"document": "529.982.247-25"}`),
		ListExamsPosted.Route:   post(ListExamsPosted.Route, `{"document": "529.982.247-25", "limit": 20}`),
		ExamTypes.Route:         getRoute(ExamTypes.Route),
		ExamWorklist.Route:      getAt(ExamWorklist.Route, map[string]string{"status": "Started"}),
		ResultUpload.Route:      post(ResultUpload.Route, js(map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": id, "content_type": "application/pdf", "size": 1000})),
		ResultOutcome.Route:     post(ResultOutcome.Route, js(map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": id, "key": h.handInKey(id)})),
	}
}
