package httpapi

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/labelcode"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
)

func TestStart(t *testing.T) {
	tests := []struct {
		name    string
		arrange func(h *harness) map[string]any
		status  int
		code    string
	}{
		{"registered exam", func(h *harness) map[string]any {
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": h.registered(fakes.ActiveSMS, 3), "exam_type": 3}
		}, 200, ""},
		{"already started: the same exam, a new token", func(h *harness) map[string]any {
			id, _ := h.started(fakes.ActiveSMS, 3)
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": id, "exam_type": 3}
		}, 200, ""},
		{"finished", func(h *harness) map[string]any {
			id, tok := h.started(fakes.ActiveSMS, 3)
			h.call(h.communicate, post(CommunicateResult.Route, js(map[string]any{"exam_token": tok, "result_token": h.resultToken(id)}))).expect(h.t, 200, "")
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": id, "exam_type": 3}
		}, 409, "INVALID_TRANSITION"},
		{"started, of another type", func(h *harness) map[string]any {
			id, _ := h.started(fakes.ActiveSMS, 3)
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": id, "exam_type": 4}
		}, 422, "EXAM_TYPE_MISMATCH"},
		{"revoked", func(h *harness) map[string]any {
			id := h.registered(fakes.ActiveSMS, 3)
			h.call(h.revoke, post(RevokeExam.Route, js(map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": id, "reason": "x"}))).expect(h.t, 200, "")
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": id, "exam_type": 3}
		}, 409, "INVALID_TRANSITION"},
		{"another patient's exam", func(h *harness) map[string]any {
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": h.registered(fakes.ActiveEmail, 3), "exam_type": 3}
		}, 404, "EXAM_NOT_FOUND"},
		{"another patient's exam of another type", func(h *harness) map[string]any {
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": h.registered(fakes.ActiveEmail, 3), "exam_type": 4}
		}, 404, "EXAM_NOT_FOUND"},
		{"no such exam", func(h *harness) map[string]any {
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": uuid.NewString(), "exam_type": 3}
		}, 404, "EXAM_NOT_FOUND"},
		{"type mismatch", func(h *harness) map[string]any {
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": h.registered(fakes.ActiveSMS, 3), "exam_type": 4}
		}, 422, "EXAM_TYPE_MISMATCH"},
		{"unknown type", func(h *harness) map[string]any {
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": h.registered(fakes.ActiveSMS, 3), "exam_type": 77}
		}, 422, "UNKNOWN_EXAM_TYPE"},
		{"patient no longer active", func(h *harness) map[string]any {
			id := h.registered(fakes.ActiveSMS, 3)
			p := fakes.ActiveSMS
			p.Status = exam.PatientInactive
			h.patients.Put(p)
			return map[string]any{"document": p.Document, "exam_id": id, "exam_type": 3}
		}, 422, "PATIENT_NOT_ACTIVE"},
		{"exam_id not a UUID", func(h *harness) map[string]any {
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": "1", "exam_type": 3}
		}, 400, "INVALID_REQUEST"},
		{"missing exam_id", func(h *harness) map[string]any {
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_type": 3}
		}, 400, "INVALID_REQUEST"},
		{"missing exam_type", func(h *harness) map[string]any {
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": uuid.NewString()}
		}, 400, "INVALID_REQUEST"},
		{"missing document", func(h *harness) map[string]any {
			return map[string]any{"exam_id": uuid.NewString(), "exam_type": 3}
		}, 400, "INVALID_REQUEST"},
		{"invalid document", func(h *harness) map[string]any {
			return map[string]any{"document": "111.111.111-11", "exam_id": uuid.NewString(), "exam_type": 3}
		}, 400, "INVALID_DOCUMENT"},
		{"unknown patient", func(h *harness) map[string]any {
			return map[string]any{"document": "12345678909", "exam_id": uuid.NewString(), "exam_type": 3}
		}, 404, "PATIENT_NOT_FOUND"},
		{"patient manager down", func(h *harness) map[string]any {
			id := h.registered(fakes.ActiveSMS, 3)
			h.patients.FailWith(fmt.Errorf("%w: refused", exam.ErrDependency))
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": id, "exam_type": 3}
		}, 503, "DEPENDENCY_UNAVAILABLE"},
		{"store down", func(h *harness) map[string]any {
			id := h.registered(fakes.ActiveSMS, 3)
			h.store.FailWith(fmt.Errorf("%w: timeout", exam.ErrDependency))
			return map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": id, "exam_type": 3}
		}, 503, "DEPENDENCY_UNAVAILABLE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			body := tt.arrange(h)
			var before exam.Exam
			id, _ := body["exam_id"].(string)
			if e, err := h.store.Store.Get(t.Context(), id); err == nil {
				before = e
			}
			r := h.call(h.start, post(StartExam.Route, js(body)))
			r.expect(t, tt.status, tt.code)
			if tt.status != 200 {
				if before.ID != "" && !reflect.DeepEqual(h.stored(id), before) {
					t.Fatalf("a refused start changed the exam: %+v", h.stored(id))
				}
				return
			}
			e := h.stored(id)
			ex := r.body["exam"].(map[string]any)
			if e.Status != exam.StatusStarted || e.StartedAt.IsZero() || ex["status"] != "Started" || ex["started_at"] == nil {
				t.Fatalf("stored %+v, body %s", e, r.raw)
			}
			claims, err := h.verifier.VerifyExamToken(r.body["exam_token"].(string))
			if err != nil || claims != (exam.ExamClaims{ExamID: id, PatientID: fakes.ActiveSMS.ID, ExamType: 3}) {
				t.Fatalf("exam token claims %+v, %v", claims, err)
			}
			// The label code names the exam without a key and its seal holds for the exam as stored.
			code, _ := r.body["label_code"].(string)
			if named, err := labelcode.ExamID(code); err != nil || named != id || len(code) > 48 {
				t.Fatalf("label code %q names %q, %v", code, named, err)
			}
			sealed, err := h.verifier.VerifyExamToken(code)
			if err != nil || sealed.Seal == nil || sealed.Seal.Check(e) != nil {
				t.Fatalf("label code %q: %+v, %v", code, sealed, err)
			}
			if len(r.body) != 3 {
				t.Fatalf("body members %s, want exam, exam_token and label_code", r.raw)
			}
		})
	}
}
