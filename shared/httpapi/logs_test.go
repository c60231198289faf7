package httpapi

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
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
	h.call(h.communicate, post(CommunicateRoute, js(map[string]string{"exam_token": examTok, "result_token": resultTok}))).expect(t, 200, "")
	h.call(h.list, get(map[string]string{"document": "529.982.247-25"})).expect(t, 200, "")
	// Refusals and failures log too.
	h.call(h.register, post(RegisterRoute, `{"document": "529.982.247-26", "exam_type": 1}`)).expect(t, 400, "INVALID_DOCUMENT")
	h.call(h.communicate, post(CommunicateRoute, js(map[string]string{"exam_token": examTok, "result_token": examTok}))).expect(t, 422, "INVALID_TOKEN")
	// An exam_id that is not a UUID never reaches a log line, whatever it carries.
	h.call(h.start, post(StartRoute, js(map[string]any{"document": p.Document, "exam_id": "Maria 52998224725", "exam_type": 4}))).expect(t, 400, "INVALID_REQUEST")
	h.call(h.revoke, post(RevokeRoute, js(map[string]any{"document": p.Document, "exam_id": "Silva " + examTok, "reason": "x"}))).expect(t, 400, "INVALID_REQUEST")
	h.patients.FailWith(fmt.Errorf("%w: patient manager timeout", exam.ErrDependency))
	h.call(h.register, post(RegisterRoute, js(map[string]any{"document": p.Document, "exam_type": 1}))).expect(t, 503, "DEPENDENCY_UNAVAILABLE")

	forbidden := []string{
		p.Document, "529.982.247-25", "529.982.247-26", "52998224726", "Maria", "Silva",
		p.Cellphone, strings.TrimPrefix(p.Cellphone, "+55"), p.Email, examTok, resultTok,
	}
	// A token's signature alone is as secret as the token.
	forbidden = append(forbidden, examTok[strings.LastIndex(examTok, ".")+1:], resultTok[strings.LastIndex(resultTok, ".")+1:])

	lines, withExam := 0, 0
	sc := bufio.NewScanner(buf)
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
		for _, f := range forbidden {
			if strings.Contains(line, f) {
				t.Errorf("log line carries %q: %s", f, line)
			}
		}
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
	h.call(h.start, post(StartRoute, js(map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": id, "exam_type": 2}))).
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
