package httpapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
)

func TestRevoke(t *testing.T) {
	body := func(p exam.Patient, id string) map[string]any {
		return map[string]any{"document": p.Document, "exam_id": id, "reason": "pedido do paciente"}
	}
	tests := []struct {
		name    string
		arrange func(h *harness) map[string]any
		status  int
		code    string
	}{
		{"registered exam", func(h *harness) map[string]any { return body(fakes.ActiveSMS, h.registered(fakes.ActiveSMS, 1)) }, 200, ""},
		{"started exam", func(h *harness) map[string]any {
			id, _ := h.started(fakes.ActiveSMS, 1)
			return body(fakes.ActiveSMS, id)
		}, 200, ""},
		{"exam of a patient now inactive", func(h *harness) map[string]any {
			id := h.registered(fakes.ActiveSMS, 1)
			p := fakes.ActiveSMS
			p.Status = exam.PatientInactive
			h.patients.Put(p)
			return body(p, id)
		}, 200, ""},
		{"finished exam", func(h *harness) map[string]any {
			id, tok := h.started(fakes.ActiveSMS, 1)
			h.call(h.communicate, post(CommunicateResult.Route, js(map[string]string{"exam_token": tok, "result_token": h.resultToken(id)}))).expect(h.t, 200, "")
			return body(fakes.ActiveSMS, id)
		}, 409, "INVALID_TRANSITION"},
		{"revoked exam", func(h *harness) map[string]any {
			id := h.registered(fakes.ActiveSMS, 1)
			h.call(h.revoke, post(RevokeExam.Route, js(body(fakes.ActiveSMS, id)))).expect(h.t, 200, "")
			return body(fakes.ActiveSMS, id)
		}, 409, "INVALID_TRANSITION"},
		{"another patient's exam", func(h *harness) map[string]any { return body(fakes.ActiveSMS, h.registered(fakes.ActiveEmail, 1)) }, 404, "EXAM_NOT_FOUND"},
		{"no such exam", func(h *harness) map[string]any { return body(fakes.ActiveSMS, uuid.NewString()) }, 404, "EXAM_NOT_FOUND"},
		{"unknown patient", func(h *harness) map[string]any {
			return map[string]any{"document": "12345678909", "exam_id": uuid.NewString(), "reason": "x"}
		}, 404, "PATIENT_NOT_FOUND"},
		{"missing reason", func(h *harness) map[string]any {
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": uuid.NewString()}
		}, 400, "INVALID_REQUEST"},
		{"empty reason", func(h *harness) map[string]any {
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": uuid.NewString(), "reason": ""}
		}, 400, "INVALID_REQUEST"},
		{"reason too long", func(h *harness) map[string]any {
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": uuid.NewString(), "reason": strings.Repeat("é", 501)}
		}, 400, "INVALID_REQUEST"},
		{"missing exam_id", func(h *harness) map[string]any {
			return map[string]any{"document": fakes.ActiveSMS.Document, "reason": "x"}
		}, 400, "INVALID_REQUEST"},
		{"invalid document", func(h *harness) map[string]any {
			return map[string]any{"document": "abc", "exam_id": uuid.NewString(), "reason": "x"}
		}, 400, "INVALID_DOCUMENT"},
		{"patient manager down", func(h *harness) map[string]any {
			id := h.registered(fakes.ActiveSMS, 1)
			h.patients.FailWith(fmt.Errorf("%w: x", exam.ErrDependency))
			return body(fakes.ActiveSMS, id)
		}, 503, "DEPENDENCY_UNAVAILABLE"},
		{"store down", func(h *harness) map[string]any {
			id := h.registered(fakes.ActiveSMS, 1)
			h.store.FailWith(fmt.Errorf("%w: x", exam.ErrDependency))
			return body(fakes.ActiveSMS, id)
		}, 503, "DEPENDENCY_UNAVAILABLE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			b := tt.arrange(h)
			r := h.call(h.revoke, post(RevokeExam.Route, js(b)))
			r.expect(t, tt.status, tt.code)
			if tt.status != 200 {
				return
			}
			e := h.stored(b["exam_id"].(string))
			if e.Status != exam.StatusRevoked || e.RevokedAt.IsZero() || e.RevokeReason != "pedido do paciente" ||
				r.body["status"] != "Revoked" || r.body["revoked_at"] == nil {
				t.Fatalf("stored %+v, body %s", e, r.raw)
			}
			if strings.Contains(r.raw, "pedido") {
				t.Fatalf("the reason is not part of the exam rendering: %s", r.raw)
			}
		})
	}
}
