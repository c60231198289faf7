package httpapi

import (
	"testing"

	"github.com/zmed/exam-manager/shared/apigw"
)

// TestMemberNamesAreExact: a member is matched by its exact name only, so a
// re-cased one is a missing field; a member given twice is refused; unknown
// members are still ignored.
func TestMemberNamesAreExact(t *testing.T) {
	const id = "4f1c2a1e-8a57-4c8e-9d35-5b1f6f0b8f11"
	tests := []struct {
		name   string
		route  func(h *harness) apigw.Handler
		path   apigw.Route
		body   string
		status int
		code   string
	}{
		{"register: document re-cased", func(h *harness) apigw.Handler { return h.register }, RegisterExam.Route,
			`{"doCument": "529.982.247-25", "exam_type": 1}`, 400, "INVALID_REQUEST"},
		{"register: exam_type re-cased", func(h *harness) apigw.Handler { return h.register }, RegisterExam.Route,
			`{"document": "529.982.247-25", "Exam_Type": 1}`, 400, "INVALID_REQUEST"},
		{"register: both spellings, exact one valid", func(h *harness) apigw.Handler { return h.register }, RegisterExam.Route,
			`{"DOCUMENT": 5, "document": "529.982.247-25", "exam_type": 1}`, 201, ""},
		{"register: document twice", func(h *harness) apigw.Handler { return h.register }, RegisterExam.Route,
			`{"document": "111.444.777-35", "document": "529.982.247-25", "exam_type": 1}`, 400, "INVALID_REQUEST"},
		{"register: unknown member twice", func(h *harness) apigw.Handler { return h.register }, RegisterExam.Route,
			`{"document": "529.982.247-25", "exam_type": 1, "note": 1, "note": 2}`, 400, "INVALID_REQUEST"},
		{"register: member twice in a nested object", func(h *harness) apigw.Handler { return h.register }, RegisterExam.Route,
			`{"document": "529.982.247-25", "exam_type": 1, "extra": {"a": 1, "a": 2}}`, 400, "INVALID_REQUEST"},
		{"register: name twice through an escape", func(h *harness) apigw.Handler { return h.register }, RegisterExam.Route,
			`{"document": "529.982.247-25", "exam_type": 1, "exam_typ\u0065": 2}`, 400, "INVALID_REQUEST"},
		{"start: exam_id re-cased", func(h *harness) apigw.Handler { return h.start }, StartExam.Route,
			`{"document": "529.982.247-25", "EXAM_ID": "` + id + `", "exam_type": 1}`, 400, "INVALID_REQUEST"},
		{"revoke: reason re-cased", func(h *harness) apigw.Handler { return h.revoke }, RevokeExam.Route,
			`{"document": "529.982.247-25", "exam_id": "` + id + `", "Reason": "x"}`, 400, "INVALID_REQUEST"},
		{"communicate: exam_token re-cased", func(h *harness) apigw.Handler { return h.communicate }, CommunicateResult.Route,
			`{"eXAm_token": "a.b.c", "result_token": "a.b.c"}`, 400, "INVALID_REQUEST"},
		{"communicate: trailing data", func(h *harness) apigw.Handler { return h.communicate }, CommunicateResult.Route,
			`{"exam_token": "a.b.c", "result_token": "a.b.c"}00`, 400, "INVALID_REQUEST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.call(tt.route(h), post(tt.path, tt.body)).expect(t, tt.status, tt.code)
		})
	}
}
