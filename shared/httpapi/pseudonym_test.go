package httpapi

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/apitest"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// TestDigitSubIsNeverLogged: an identity provider that uses a CPF or a phone
// as the sub (gov.br style) puts it nowhere in the logs; every audit line names
// the actor by one stable pseudonym, and the exam's history keeps the real id.
func TestDigitSubIsNeverLogged(t *testing.T) {
	p := fakes.ActiveSMS
	for name, sub := range map[string]string{"CPF": "52998224725", "phone with country code": "5511987654321", "phone": "11987654321"} {
		t.Run(name, func(t *testing.T) {
			buf := logtest.Capture(t)
			h := newHarness(t)
			a := exam.Actor{Kind: exam.ActorAttendant, ID: sub, Name: "gov.br"}
			r := h.call(h.register, as(a, post(RegisterExam.Route, js(map[string]any{"document": p.Document, "exam_type": 1}))))
			r.expect(t, 201, "")
			id := r.body["exam_id"].(string)
			h.call(h.start, as(a, post(StartExam.Route, js(map[string]any{"document": p.Document, "exam_id": id, "exam_type": 1})))).expect(t, 200, "")
			h.call(h.list, as(a, get(map[string]string{"document": p.Document}))).expect(t, 200, "")
			h.call(h.revoke, as(a, post(RevokeExam.Route, js(map[string]any{"document": p.Document, "exam_id": id, "reason": "x"})))).expect(t, 200, "")
			h.call(h.start, as(a, post(StartExam.Route, js(map[string]any{"document": p.Document, "exam_id": apitest.CPFInUUID, "exam_type": 1})))).
				expect(t, 404, "EXAM_NOT_FOUND")
			if _, err := h.store.Store.Get(context.Background(), apitest.CPFInUUID); !errors.Is(err, exam.ErrExamNotFound) {
				t.Fatalf("an exam id hiding a CPF was stored: %v", err)
			}

			text := buf.String()
			logtest.CheckLines(t, bytes.NewBufferString(text), []string{sub, "52998224725", "5511987654321", "98765"})
			apitest.CheckNoCPF(t, text)
			audits := logtest.AuditLines(t, text)
			if len(audits) != 5 {
				t.Fatalf("%d audit lines for 5 calls", len(audits))
			}
			pseudonym := audits[0].Actor["id"]
			for _, l := range audits {
				if l.Actor["id"] != pseudonym || pseudonym != auditWriter.LoggedID(a) {
					t.Fatalf("audit line naming %s, want the pseudonym %s on every line: %s", l.Actor["id"], auditWriter.LoggedID(a), l.Raw)
				}
			}
			for _, step := range h.stored(id).History {
				if step.By.ID != sub {
					t.Fatalf("history names %s, want the real id %s", step.By.ID, sub)
				}
			}
		})
	}
}
