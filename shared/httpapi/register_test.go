package httpapi

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
)

func TestRegister(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		setup  func(h *harness)
		status int
		code   string
	}{
		{"formatted document", `{"document": "529.982.247-25", "exam_type": 1}`, nil, 201, ""},
		{"bare document, unknown fields ignored", `{"document": "52998224725", "exam_type": 10, "color": "blue"}`, nil, 201, ""},
		{"malformed JSON", `{"document": "529`, nil, 400, "INVALID_REQUEST"},
		{"not an object", `[1, 2]`, nil, 400, "INVALID_REQUEST"},
		{"trailing data", `{"document": "52998224725", "exam_type": 1} {}`, nil, 400, "INVALID_REQUEST"},
		{"empty body", ``, nil, 400, "INVALID_REQUEST"},
		{"missing document", `{"exam_type": 1}`, nil, 400, "INVALID_REQUEST"},
		{"missing exam_type", `{"document": "52998224725"}`, nil, 400, "INVALID_REQUEST"},
		{"exam_type as a string", `{"document": "52998224725", "exam_type": "1"}`, nil, 400, "INVALID_REQUEST"},
		{"exam_type fractional", `{"document": "52998224725", "exam_type": 1.5}`, nil, 400, "INVALID_REQUEST"},
		{"document as a number", `{"document": 52998224725, "exam_type": 1}`, nil, 400, "INVALID_REQUEST"},
		{"invalid CPF", `{"document": "529.982.247-26", "exam_type": 1}`, nil, 400, "INVALID_DOCUMENT"},
		{"unknown patient", `{"document": "123.456.789-09", "exam_type": 1}`, nil, 404, "PATIENT_NOT_FOUND"},
		{"pending patient", js(map[string]any{"document": fakes.Pending.Document, "exam_type": 1}), nil, 422, "PATIENT_NOT_ACTIVE"},
		{"inactive patient", js(map[string]any{"document": fakes.Inactive.Document, "exam_type": 1}), nil, 422, "PATIENT_NOT_ACTIVE"},
		{"exam type 0", `{"document": "52998224725", "exam_type": 0}`, nil, 422, "UNKNOWN_EXAM_TYPE"},
		{"exam type negative", `{"document": "52998224725", "exam_type": -3}`, nil, 422, "UNKNOWN_EXAM_TYPE"},
		{"exam type 9999", `{"document": "52998224725", "exam_type": 9999}`, nil, 422, "UNKNOWN_EXAM_TYPE"},
		{"body over 64 KiB", `{"document": "52998224725", "exam_type": 1, "pad": "` + strings.Repeat("x", 64<<10) + `"}`, nil, 413, "PAYLOAD_TOO_LARGE"},
		{"patient manager down", `{"document": "52998224725", "exam_type": 1}`,
			func(h *harness) { h.patients.FailWith(fmt.Errorf("%w: timeout", exam.ErrDependency)) }, 503, "DEPENDENCY_UNAVAILABLE"},
		{"store down", `{"document": "52998224725", "exam_type": 1}`,
			func(h *harness) { h.store.FailWith(fmt.Errorf("%w: %w", exam.ErrDependency, errStoreDown)) }, 503, "DEPENDENCY_UNAVAILABLE"},
		{"unexpected store error", `{"document": "52998224725", "exam_type": 1}`,
			func(h *harness) { h.store.FailWith(errStoreDown) }, 500, "INTERNAL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.setup != nil {
				tt.setup(h)
			}
			r := h.call(h.register, post(RegisterExam.Route, tt.body))
			r.expect(t, tt.status, tt.code)
			if tt.status != 201 {
				return
			}
			id := r.body["exam_id"].(string)
			e := h.stored(id)
			if e.Status != exam.StatusRegistered || e.PatientID != fakes.ActiveSMS.ID || e.PatientDocument != "52998224725" {
				t.Fatalf("stored %+v", e)
			}
			if r.body["status"] != "Registered" || r.body["patient_id"] != fakes.ActiveSMS.ID ||
				r.body["exam_name"] != exam.Type(e.Type).Name() || r.body["created_at"] == nil || r.body["started_at"] != nil {
				t.Fatalf("body %s", r.raw)
			}
			if strings.Contains(r.raw, "52998224725") || strings.Contains(r.raw, "Maria") || strings.Contains(r.raw, "document") {
				t.Fatalf("exam rendering carries patient data: %s", r.raw)
			}
		})
	}
}

func TestBase64Body(t *testing.T) {
	h := newHarness(t)
	req := post(RegisterExam.Route, base64.StdEncoding.EncodeToString([]byte(`{"document":"52998224725","exam_type":2}`)))
	req.IsBase64Encoded = true
	h.call(h.register, req).expect(t, 201, "")
	req.Body = "!!!"
	h.call(h.register, req).expect(t, 400, "INVALID_REQUEST")
}

func TestWrongRouteOrMethod(t *testing.T) {
	h := newHarness(t)
	wrongMethod := post(RegisterExam.Route, `{}`)
	wrongMethod.RouteKey, wrongMethod.RequestContext.HTTP.Method = "GET /exam/new", "GET"
	h.call(h.register, wrongMethod).expect(t, 405, "METHOD_NOT_ALLOWED")

	wrongPath := post(RegisterExam.Route, `{}`)
	wrongPath.RouteKey, wrongPath.RawPath = "", "/exam/old"
	h.call(h.register, wrongPath).expect(t, 404, "ROUTE_NOT_FOUND")

	// Without a route key (the $default route) the method and raw path decide.
	byPath := post(RegisterExam.Route, `{"document":"52998224725","exam_type":2}`)
	byPath.RouteKey = "$default"
	h.call(h.register, byPath).expect(t, 201, "")
}
