package httpapi

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/apitest"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// TestLogsCarryNoPersonalData runs register → start → communicate, and some
// refusals, through the handlers and reads every log line they wrote.
func TestLogsCarryNoPersonalData(t *testing.T) {
	buf := logtest.Capture(t)

	h := newHarness(t)
	p := fakes.ActiveSMS
	id, examTok := h.started(p, 4)
	resultTok := h.resultToken(id)
	h.call(h.communicate, post(CommunicateResult.Route, js(map[string]string{"exam_token": examTok, "result_token": resultTok}))).expect(t, 200, "")
	h.call(h.list, get(map[string]string{"document": "529.982.247-25"})).expect(t, 200, "")
	h.call(h.handlers[ListExamsPosted.Route], post(ListExamsPosted.Route, `{"document": "529.982.247-25"}`)).expect(t, 200, "")
	h.call(h.handlers[FindPatient.Route], post(FindPatient.Route, `{"document": "529.982.247-25"}`)).expect(t, 200, "")
	h.call(h.worklist, getAt(ExamWorklist.Route, map[string]string{"status": "Finished"})).expect(t, 200, "")
	// Refusals and failures log too.
	h.call(h.register, post(RegisterExam.Route, `{"document": "529.982.247-26", "exam_type": 1}`)).expect(t, 400, "INVALID_DOCUMENT")
	h.call(h.communicate, post(CommunicateResult.Route, js(map[string]string{"exam_token": examTok, "result_token": examTok}))).expect(t, 422, "INVALID_TOKEN")
	// An exam_id that is not a UUID never reaches a log line, whatever it carries.
	h.call(h.start, post(StartExam.Route, js(map[string]any{"document": p.Document, "exam_id": "Maria 52998224725", "exam_type": 4}))).expect(t, 400, "INVALID_REQUEST")
	h.call(h.revoke, post(RevokeExam.Route, js(map[string]any{"document": p.Document, "exam_id": "Silva " + examTok, "reason": "x"}))).expect(t, 400, "INVALID_REQUEST")
	calls := 11 // the lifecycle and refusals above
	// Invalid input carrying personal data on every route and in every field.
	poison := apitest.Poison(examTok)
	for _, v := range poison.Values {
		for _, req := range []events.APIGatewayV2HTTPRequest{
			post(RegisterExam.Route, js(map[string]any{"document": v, "exam_type": 1})),
			post(RegisterExam.Route, js(map[string]any{"document": p.Document, "exam_type": v})),
			get(map[string]string{"document": v}),
			get(map[string]string{"document": p.Document, "limit": v}),
			get(map[string]string{"document": p.Document, "cursor": v}),
			getAt(ExamWorklist.Route, map[string]string{"status": v}),
			getAt(ExamWorklist.Route, map[string]string{"status": "Started", "since": v, "limit": v, "cursor": v}),
			post(StartExam.Route, js(map[string]any{"document": p.Document, "exam_id": v, "exam_type": 4})),
			post(StartExam.Route, js(map[string]any{"document": v, "exam_id": id, "exam_type": 4})),
			post(RevokeExam.Route, js(map[string]any{"document": p.Document, "exam_id": v, "reason": v})),
			post(RevokeExam.Route, js(map[string]any{"document": v, "exam_id": id, "reason": v})),
			post(CommunicateResult.Route, js(map[string]any{"exam_token": v, "result_token": v})),
			post(CommunicateResult.Route, js(map[string]any{"exam_token": examTok, "result_token": v})),
			post(RegisterExam.Route, `{"document": "`+v),
			post(FindPatient.Route, js(map[string]any{"document": v})),
			post(ListExamsPosted.Route, js(map[string]any{"document": v})),
			post(ListExamsPosted.Route, js(map[string]any{"document": p.Document, "limit": v})),
			post(ListExamsPosted.Route, js(map[string]any{"document": p.Document, "cursor": v})),
		} {
			if r := h.call(h.handlers[routeOf(req)], req); r.status >= 500 {
				t.Fatalf("%s with %q: %d %s", req.RouteKey, v, r.status, r.raw)
			}
			calls++
		}
	}
	h.patients.FailWith(fmt.Errorf("%w: patient manager timeout", exam.ErrDependency))
	h.call(h.register, post(RegisterExam.Route, js(map[string]any{"document": p.Document, "exam_type": 1}))).expect(t, 503, "DEPENDENCY_UNAVAILABLE")
	calls++

	forbidden := append(poison.Forbidden,
		p.Document, "529.982.247-25", "529.982.247-26", "52998224726", "Maria", "Silva",
		p.Cellphone, strings.TrimPrefix(p.Cellphone, "+55"), p.Email, examTok, resultTok,
		fakes.Attendant.Name, fakes.OtherAttendant.Name,
	)
	// A token's signature alone is as secret as the token.
	forbidden = append(forbidden, examTok[strings.LastIndex(examTok, ".")+1:], resultTok[strings.LastIndex(resultTok, ".")+1:])

	lines, withExam, audits := 0, 0, 0
	sc := bufio.NewScanner(buf)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		lines++
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["request_id"] == nil {
			t.Errorf("log line without request_id: %s", line)
		}
		if rec["exam_id"] == id {
			withExam++
		}
		if id, ok := rec["exam_id"].(string); ok && uuid.Validate(id) != nil {
			t.Errorf("log line names an exam id that is not a UUID: %s", line)
		}
		apitest.CheckNoCPF(t, line)
		if rec["audit"] == true {
			audits++
			actor, _ := rec["actor"].(map[string]any)
			if rec["action"] == nil || rec["outcome"] == nil || actor["kind"] != "attendant" || actor["id"] != fakes.Attendant.ID {
				t.Errorf("audit line without action, outcome or the caller: %s", line)
			}
		}
		// What the code logged: a time's or a request id's digits are arbitrary,
		// but not a UUID's that hides what the test planted.
		text := logtest.LoggedText(line)
		for _, f := range forbidden {
			if f != "" && strings.Contains(text, f) {
				t.Errorf("log line carries %q: %s", f, line)
			}
			if logtest.HiddenInUUID(line, f) {
				t.Errorf("log line carries the digits of %q in a UUID: %s", f, line)
			}
		}
	}
	if audits != calls {
		t.Errorf("%d audit lines for %d calls, want one each", audits, calls)
	}
	if lines < 6 || withExam < 3 {
		t.Fatalf("%d log lines, %d naming the exam: the test saw too little to prove anything", lines, withExam)
	}
}

// TestRefusalNamesTheExamTheHandlerNamed: the error a handler returns is logged
// by apigw.Serve, outside the handler, still with the exam the handler named.
func TestRefusalNamesTheExamTheHandlerNamed(t *testing.T) {
	buf := logtest.Capture(t)
	h := newHarness(t)
	id := h.registered(fakes.ActiveSMS, 1)
	h.call(h.start, post(StartExam.Route, js(map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": id, "exam_type": 2}))).
		expect(t, 422, "EXAM_TYPE_MISMATCH")
	sc := bufio.NewScanner(buf)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err == nil && rec["msg"] == "request refused" {
			if rec["exam_id"] != id {
				t.Fatalf("refusal logged without the exam: %s", sc.Text())
			}
			return
		}
	}
	t.Fatal("no refusal logged")
}

// routeOf is the route an event names.
func routeOf(req events.APIGatewayV2HTTPRequest) apigw.Route {
	method, path, _ := strings.Cut(req.RouteKey, " ")
	return apigw.Route{Method: method, Path: path}
}
