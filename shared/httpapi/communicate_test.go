package httpapi

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/token"
)

func TestCommunicate(t *testing.T) {
	tests := []struct {
		name    string
		arrange func(h *harness) (examToken, resultToken string)
		status  int
		code    string
		// after a success: the channel used, or "" for skipped
		channel exam.Channel
	}{
		{"verified cellphone gets an SMS", func(h *harness) (string, string) {
			id, tok := h.started(fakes.ActiveSMS, 2)
			return tok, h.resultToken(id)
		}, 200, "", exam.ChannelSMS},
		{"only a verified e-mail gets an e-mail", func(h *harness) (string, string) {
			id, tok := h.started(fakes.ActiveEmail, 2)
			return tok, h.resultToken(id)
		}, 200, "", exam.ChannelEmail},
		{"neither is skipped", func(h *harness) (string, string) {
			id, tok := h.started(fakes.ActiveNone, 2)
			return tok, h.resultToken(id)
		}, 200, "", ""},
		{"the label code in place of the exam token", func(h *harness) (string, string) {
			id, code := h.labelled(fakes.ActiveSMS, 2)
			return code, h.resultToken(id)
		}, 200, "", exam.ChannelSMS},
		{"the label code of a revoked exam", func(h *harness) (string, string) {
			id, code := h.labelled(fakes.ActiveSMS, 2)
			h.call(h.revoke, post(RevokeExam.Route, js(map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": id, "reason": "x"}))).expect(h.t, 200, "")
			return code, h.resultToken(id)
		}, 409, "INVALID_TRANSITION", ""},
		{"an expired label code", func(h *harness) (string, string) {
			id, code := h.labelled(fakes.ActiveSMS, 2)
			h.clock.Advance(token.DefaultExamTokenTTL)
			return code, h.resultToken(id)
		}, 422, "INVALID_TOKEN", ""},
		{"a label code naming another patient", func(h *harness) (string, string) {
			id, _ := h.started(fakes.ActiveSMS, 2)
			code, _ := h.issuer.IssueLabelCode(exam.ExamClaims{ExamID: id, PatientID: fakes.ActiveEmail.ID, ExamType: 2})
			return code, h.resultToken(id)
		}, 422, "INVALID_TOKEN", ""},
		{"a label code of an exam that does not exist", func(h *harness) (string, string) {
			id := uuid.NewString()
			code, _ := h.issuer.IssueLabelCode(exam.ExamClaims{ExamID: id, PatientID: fakes.ActiveSMS.ID, ExamType: 2})
			return code, h.resultToken(id)
		}, 422, "INVALID_TOKEN", ""},
		{"a label code with a result of another exam", func(h *harness) (string, string) {
			_, code := h.labelled(fakes.ActiveSMS, 2)
			other, _ := h.started(fakes.ActiveSMS, 2)
			return code, h.resultToken(other)
		}, 422, "TOKEN_MISMATCH", ""},
		{"a label code changed in one character", func(h *harness) (string, string) {
			id, code := h.labelled(fakes.ActiveSMS, 2)
			changed := []byte(code)
			changed[20] = map[bool]byte{true: '1', false: '0'}[changed[20] == '0']
			return string(changed), h.resultToken(id)
		}, 422, "INVALID_TOKEN", ""},
		{"invalid exam token", func(h *harness) (string, string) {
			id, tok := h.started(fakes.ActiveSMS, 2)
			return tok[:len(tok)-3] + "abc", h.resultToken(id)
		}, 422, "INVALID_TOKEN", ""},
		{"expired result token", func(h *harness) (string, string) {
			id, tok := h.started(fakes.ActiveSMS, 2)
			old, _ := token.MintResultToken(resultKey, id, epoch.Add(-48*time.Hour), time.Hour)
			return tok, old
		}, 422, "INVALID_TOKEN", ""},
		{"exam token given as the result token", func(h *harness) (string, string) {
			_, tok := h.started(fakes.ActiveSMS, 2)
			return tok, tok
		}, 422, "INVALID_TOKEN", ""},
		{"tokens of different exams", func(h *harness) (string, string) {
			_, tok := h.started(fakes.ActiveSMS, 2)
			other, _ := h.started(fakes.ActiveSMS, 2)
			return tok, h.resultToken(other)
		}, 422, "TOKEN_MISMATCH", ""},
		{"token of an exam that does not exist", func(h *harness) (string, string) {
			id := uuid.NewString()
			tok, _ := h.issuer.IssueExamToken(exam.ExamClaims{ExamID: id, PatientID: fakes.ActiveSMS.ID, ExamType: 2})
			return tok, h.resultToken(id)
		}, 404, "EXAM_NOT_FOUND", ""},
		{"token naming another patient", func(h *harness) (string, string) {
			id, _ := h.started(fakes.ActiveSMS, 2)
			tok, _ := h.issuer.IssueExamToken(exam.ExamClaims{ExamID: id, PatientID: fakes.ActiveEmail.ID, ExamType: 2})
			return tok, h.resultToken(id)
		}, 422, "TOKEN_MISMATCH", ""},
		{"revoked exam", func(h *harness) (string, string) {
			id, tok := h.started(fakes.ActiveSMS, 2)
			h.call(h.revoke, post(RevokeExam.Route, js(map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": id, "reason": "x"}))).expect(h.t, 200, "")
			return tok, h.resultToken(id)
		}, 409, "INVALID_TRANSITION", ""},
		{"finished by another result", func(h *harness) (string, string) {
			id, tok := h.started(fakes.ActiveSMS, 2)
			h.call(h.communicate, post(CommunicateResult.Route, js(map[string]string{"exam_token": tok, "result_token": h.resultToken(id)}))).expect(h.t, 200, "")
			h.clock.Advance(time.Second) // another result token: issued at another time
			return tok, h.resultToken(id)
		}, 409, "INVALID_TRANSITION", ""},
		{"patient no longer active", func(h *harness) (string, string) {
			id, tok := h.started(fakes.ActiveSMS, 2)
			p := fakes.ActiveSMS
			p.Status = exam.PatientInactive
			h.patients.Put(p)
			return tok, h.resultToken(id)
		}, 422, "PATIENT_NOT_ACTIVE", ""},
		{"patient manager down", func(h *harness) (string, string) {
			id, tok := h.started(fakes.ActiveSMS, 2)
			h.patients.FailWith(fmt.Errorf("%w: 500", exam.ErrDependency))
			return tok, h.resultToken(id)
		}, 503, "DEPENDENCY_UNAVAILABLE", ""},
		{"store down", func(h *harness) (string, string) {
			id, tok := h.started(fakes.ActiveSMS, 2)
			h.store.FailWith(fmt.Errorf("%w: 500", exam.ErrDependency))
			return tok, h.resultToken(id)
		}, 503, "DEPENDENCY_UNAVAILABLE", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			examToken, resultToken := tt.arrange(h)
			sentBefore := len(h.notifier.Sent())
			r := h.call(h.communicate, post(CommunicateResult.Route, js(map[string]string{"exam_token": examToken, "result_token": resultToken})))
			r.expect(t, tt.status, tt.code)
			sent := h.notifier.Sent()[sentBefore:]
			if tt.status != 200 {
				if len(sent) != 0 {
					t.Fatalf("refused call notified: %+v", sent)
				}
				return
			}
			ex := r.body["exam"].(map[string]any)
			e := h.stored(ex["exam_id"].(string))
			wantStatus := exam.NotificationSent
			if tt.channel == "" {
				wantStatus = exam.NotificationSkipped
			}
			if e.Status != exam.StatusFinished || e.FinishedAt.IsZero() || e.Notification.Status != wantStatus ||
				e.Notification.Channel != tt.channel || e.Notification.ClaimOwner != "" {
				t.Fatalf("stored %+v", e)
			}
			n := ex["notification"].(map[string]any)
			if ex["status"] != "Finished" || n["status"] != string(wantStatus) || ex["finished_at"] == nil {
				t.Fatalf("body %s", r.raw)
			}
			if strings.Contains(r.raw, "claim") {
				t.Fatalf("body shows claim internals: %s", r.raw)
			}
			if tt.channel == "" {
				if len(sent) != 0 {
					t.Fatalf("skipped yet sent %+v", sent)
				}
				return
			}
			if len(sent) != 1 || sent[0].Channel != tt.channel || sent[0].ExamID != e.ID {
				t.Fatalf("sent %+v", sent)
			}
			// The message says the result is ready, greets by first name only, and carries no health data.
			m := sent[0]
			text := m.Subject + " " + m.Text
			for _, forbidden := range []string{e.Type.Name(), "Pereira", "da Silva", "Lipid", "exam_type"} {
				if strings.Contains(text, forbidden) {
					t.Fatalf("message carries %q: %q", forbidden, text)
				}
			}
			if !strings.Contains(text, "resultado") {
				t.Fatalf("message does not say the result is ready: %q", text)
			}
		})
	}
}

func TestCommunicateRepeatedNotifiesOnce(t *testing.T) {
	h := newHarness(t)
	id, tok := h.started(fakes.ActiveSMS, 5)
	result := h.resultToken(id)
	body := js(map[string]string{"exam_token": tok, "result_token": result})
	for range 3 {
		h.call(h.communicate, post(CommunicateResult.Route, body)).expect(t, 200, "")
	}
	if n := len(h.notifier.Sent()); n != 1 {
		t.Fatalf("%d notifications, want 1", n)
	}
}

func TestCommunicateNotifierFailureThenRetry(t *testing.T) {
	h := newHarness(t)
	id, tok := h.started(fakes.ActiveEmail, 5)
	body := js(map[string]string{"exam_token": tok, "result_token": h.resultToken(id)})

	h.notifier.FailNext(1)
	h.call(h.communicate, post(CommunicateResult.Route, body)).expect(t, 503, "DEPENDENCY_UNAVAILABLE")
	if e := h.stored(id); e.Status != exam.StatusFinished || e.Notification.Status != exam.NotificationPending || e.Notification.ClaimOwner != "" {
		t.Fatalf("after a failed send: %+v", e)
	}
	h.call(h.communicate, post(CommunicateResult.Route, body)).expect(t, 200, "")
	h.call(h.communicate, post(CommunicateResult.Route, body)).expect(t, 200, "")
	if sent := h.notifier.Sent(); len(sent) != 1 || sent[0].Channel != exam.ChannelEmail {
		t.Fatalf("sent %+v, want one e-mail", sent)
	}
}

func TestCommunicateMissingFields(t *testing.T) {
	h := newHarness(t)
	for _, body := range []string{`{}`, `{"exam_token": "x"}`, `{"result_token": "x"}`, `{"exam_token": 1, "result_token": "x"}`} {
		h.call(h.communicate, post(CommunicateResult.Route, body)).expect(t, 400, "INVALID_REQUEST")
	}
}

// A notification that failed shows as failed with its code, and the body
// never quotes the contact that failed.
func TestCommunicateShowsAFailedNotification(t *testing.T) {
	h := newHarness(t)
	foreign := fakes.ActiveSMS
	foreign.Cellphone, foreign.EmailVerified = "+12025550143", false
	h.patients.Put(foreign)
	id, tok := h.started(foreign, 5)
	r := h.call(h.communicate, post(CommunicateResult.Route, js(map[string]string{"exam_token": tok, "result_token": h.resultToken(id)})))
	r.expect(t, 200, "")
	n, _ := r.body["exam"].(map[string]any)["notification"].(map[string]any)
	if n["status"] != "failed" || n["code"] != exam.InvalidDestination || n["channel"] != "sms" {
		t.Fatalf("notification %v, want failed by sms with %s", n, exam.InvalidDestination)
	}
	if strings.Contains(r.raw, "2025550143") || len(h.notifier.Sent()) != 0 {
		t.Fatalf("body %s, sent %+v", r.raw, h.notifier.Sent())
	}
}
