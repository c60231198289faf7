package resultfiling_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/labelcode"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/s3results"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/token"
)

const month = "2026_11"

// outcomeCase is one way a result ends filed, and why.
type outcomeCase struct {
	name string
	// arrange uploads an object under completed/ and returns its event and the exam involved ("" for none)
	arrange func(h *harness) (events.S3Event, string)
	reason  resultfiling.Reason
	// examIDKnown: the filed object names its exam (zmed-exam-id)
	examIDKnown bool
}

func outcomeCases() []outcomeCase {
	return append(documentCases(), []outcomeCase{
		{"tokens as metadata of a PDF", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveSMS)
			return h.putPDF("completed/2026_11/"+e.ID+".pdf", tok, h.resultToken(e.ID)), e.ID
		}, resultfiling.Finished, true},
		{"tokens in a JSON body", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveEmail)
			body, _ := json.Marshal(map[string]any{"exam_token": tok, "result_token": h.resultToken(e.ID), "values": map[string]float64{"glucose": 92}})
			return h.put("completed/2026_11/"+e.ID+".json", "application/json", body, nil), e.ID
		}, resultfiling.Finished, true},
		{"label code as metadata of a PDF", func(h *harness) (events.S3Event, string) {
			e, code := h.labelledExam(fakes.ActiveSMS)
			return h.putPDF("completed/2026_11/"+e.ID+".pdf", code, h.resultToken(e.ID)), e.ID
		}, resultfiling.Finished, true},
		{"label code in a JSON body", func(h *harness) (events.S3Event, string) {
			e, code := h.labelledExam(fakes.ActiveEmail)
			body, _ := json.Marshal(map[string]any{"exam_token": code, "result_token": h.resultToken(e.ID)})
			return h.put("completed/2026_11/"+e.ID+".json", "application/json", body, nil), e.ID
		}, resultfiling.Finished, true},
		{"label code of a revoked exam", func(h *harness) (events.S3Event, string) {
			e, code := h.labelledExam(fakes.ActiveSMS)
			if _, err := (exam.Revoke{Patients: h.patients, Exams: h.store, Now: h.clock.Now}).Run(context.Background(), fakes.Attendant, fakes.ActiveSMS.Document, e.ID, "x"); err != nil {
				h.t.Fatal(err)
			}
			return h.putPDF("completed/2026_11/r.pdf", code, h.resultToken(e.ID)), e.ID
		}, resultfiling.ExamRevoked, true},
		{"expired label code", func(h *harness) (events.S3Event, string) {
			e, _ := h.startedExam(fakes.ActiveSMS)
			code, err := labelcode.Sign(examKey, labelcode.Exam{ID: e.ID, PatientID: fakes.ActiveSMS.ID, Type: 6}, h.clock.Now().Add(-time.Hour))
			if err != nil {
				h.t.Fatal(err)
			}
			return h.putPDF("completed/2026_11/r.pdf", code, h.resultToken(e.ID)), e.ID
		}, resultfiling.TokenExpired, false},
		{"label code naming another patient", func(h *harness) (events.S3Event, string) {
			e, _ := h.startedExam(fakes.ActiveSMS)
			code, _ := h.issuer.IssueLabelCode(exam.ExamClaims{ExamID: e.ID, PatientID: fakes.ActiveEmail.ID, ExamType: 6})
			return h.putPDF("completed/2026_11/r.pdf", code, h.resultToken(e.ID)), e.ID
		}, resultfiling.InvalidExamToken, false},
		{"label code of another exam type", func(h *harness) (events.S3Event, string) {
			e, _ := h.startedExam(fakes.ActiveSMS)
			code, _ := h.issuer.IssueLabelCode(exam.ExamClaims{ExamID: e.ID, PatientID: fakes.ActiveSMS.ID, ExamType: 3})
			return h.putPDF("completed/2026_11/r.pdf", code, h.resultToken(e.ID)), e.ID
		}, resultfiling.InvalidExamToken, false},
		{"no tokens", func(h *harness) (events.S3Event, string) {
			return h.putPDF("completed/2026_11/r.pdf", "", ""), ""
		}, resultfiling.MissingTokens, false},
		{"only one token", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveSMS)
			return h.putPDF("completed/2026_11/r.pdf", tok, ""), e.ID
		}, resultfiling.MissingTokens, false},
		{"malformed exam token", func(h *harness) (events.S3Event, string) {
			e, _ := h.startedExam(fakes.ActiveSMS)
			return h.putPDF("completed/2026_11/r.pdf", "not-a-jwt", h.resultToken(e.ID)), e.ID
		}, resultfiling.InvalidExamToken, false},
		{"result token with a bad signature", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveSMS)
			forged, _ := token.MintResultToken([]byte("the-wrong-result-key-0123456789abcdef"), e.ID, h.clock.Now(), time.Hour)
			return h.putPDF("completed/2026_11/r.pdf", tok, forged), e.ID
		}, resultfiling.InvalidResultToken, false},
		{"expired result token", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveSMS)
			old, _ := token.MintResultToken(resultKey, e.ID, epoch.Add(-72*time.Hour), time.Hour)
			return h.putPDF("completed/2026_11/r.pdf", tok, old), e.ID
		}, resultfiling.TokenExpired, false},
		{"tokens naming different exams", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveSMS)
			other, _ := h.startedExam(fakes.ActiveSMS)
			return h.putPDF("completed/2026_11/r.pdf", tok, h.resultToken(other.ID)), e.ID
		}, resultfiling.TokensMismatch, false},
		{"exam token of an unknown exam", func(h *harness) (events.S3Event, string) {
			id := uuid.NewString()
			tok, _ := h.issuer.IssueExamToken(exam.ExamClaims{ExamID: id, PatientID: fakes.ActiveSMS.ID, ExamType: 6})
			return h.putPDF("completed/2026_11/r.pdf", tok, h.resultToken(id)), ""
		}, resultfiling.UnknownExam, false},
		{"exam token of another exam type", func(h *harness) (events.S3Event, string) {
			e, _ := h.startedExam(fakes.ActiveSMS)
			tok, _ := h.issuer.IssueExamToken(exam.ExamClaims{ExamID: e.ID, PatientID: fakes.ActiveSMS.ID, ExamType: 3})
			return h.putPDF("completed/2026_11/r.pdf", tok, h.resultToken(e.ID)), e.ID
		}, resultfiling.ExamTypeMismatch, true},
		{"exam registered, not started", func(h *harness) (events.S3Event, string) {
			e := h.registeredExam(fakes.ActiveSMS)
			tok, _ := h.issuer.IssueExamToken(exam.ExamClaims{ExamID: e.ID, PatientID: fakes.ActiveSMS.ID, ExamType: 6})
			return h.putPDF("completed/2026_11/r.pdf", tok, h.resultToken(e.ID)), e.ID
		}, resultfiling.NotStarted, true},
		{"exam finished by another result", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveSMS)
			if _, err := h.proc.Finish.Run(context.Background(), exam.ProcessResultActor, tok, h.resultToken(e.ID)); err != nil {
				h.t.Fatal(err)
			}
			h.clock.Advance(time.Second) // another result token
			return h.putPDF("completed/2026_11/r.pdf", tok, h.resultToken(e.ID)), e.ID
		}, resultfiling.FinishedByOtherResult, true},
		{"malformed JSON body", func(h *harness) (events.S3Event, string) {
			return h.put("completed/2026_11/r.json", "application/json", []byte(`{"exam_token": `), nil), ""
		}, resultfiling.UnreadableBody, false},
		{"JSON body without tokens", func(h *harness) (events.S3Event, string) {
			return h.put("completed/2026_11/r.json", "application/json", []byte(`{"values": [1, 2]}`), nil), ""
		}, resultfiling.MissingTokens, false},
		{"patient unknown to the patient manager", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveSMS)
			h.patients.Remove(fakes.ActiveSMS.Document)
			return h.putPDF("completed/2026_11/r.pdf", tok, h.resultToken(e.ID)), e.ID
		}, resultfiling.PatientUnknown, true},
		{"patient inactive", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveSMS)
			p := fakes.ActiveSMS
			p.Status = exam.PatientInactive
			h.patients.Put(p)
			return h.putPDF("completed/2026_11/r.pdf", tok, h.resultToken(e.ID)), e.ID
		}, resultfiling.PatientNotActive, true},
		{"token's patient is not the exam's", func(h *harness) (events.S3Event, string) {
			e, _ := h.startedExam(fakes.ActiveSMS)
			tok, _ := h.issuer.IssueExamToken(exam.ExamClaims{ExamID: e.ID, PatientID: fakes.ActiveEmail.ID, ExamType: 6})
			return h.putPDF("completed/2026_11/r.pdf", tok, h.resultToken(e.ID)), e.ID
		}, resultfiling.PatientMismatch, true},
		{"revoked exam", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveSMS)
			if _, err := (exam.Revoke{Patients: h.patients, Exams: h.store, Now: h.clock.Now}).Run(context.Background(), fakes.Attendant, fakes.ActiveSMS.Document, e.ID, "x"); err != nil {
				h.t.Fatal(err)
			}
			return h.putPDF("completed/2026_11/r.pdf", tok, h.resultToken(e.ID)), e.ID
		}, resultfiling.ExamRevoked, true},
	}...)
}

// TestOutcomes files a result for every reason but unfileable (see
// TestPermanentRefusals) and reads the reason back from the filed object.
func TestOutcomes(t *testing.T) {
	for _, tt := range outcomeCases() {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			ev, examID := tt.arrange(h)
			key := ev.Records[0].S3.Object.Key
			file := key[strings.LastIndex(key, "/")+1:]
			var before exam.Exam
			if examID != "" {
				before = h.exam(examID)
			}
			sentBefore := len(h.notifier.Sent())
			if err := h.handle(context.Background(), ev); err != nil {
				t.Fatalf("Handle: %v", err)
			}
			outcome := tt.reason.Outcome()
			filed := string(outcome) + "/" + month + "/" + file
			h.expectKeys(filed)
			meta := h.filedMetadata(filed)
			wantID := ""
			if tt.examIDKnown {
				wantID = examID
			}
			if meta[s3results.OutcomeMeta] != string(outcome) || meta[s3results.ReasonMeta] != string(tt.reason) || meta[s3results.ExamIDMeta] != wantID {
				t.Fatalf("filed with metadata %v, want outcome %s, reason %s, exam id %q", meta, outcome, tt.reason, wantID)
			}
			sent := h.notifier.Sent()[sentBefore:]
			if outcome != resultfiling.Processed {
				if len(sent) != 0 {
					t.Fatalf("notified for a %s result: %+v", outcome, sent)
				}
				if examID != "" && !reflect.DeepEqual(h.exam(examID), before) {
					t.Fatalf("a %s result changed the exam: %+v", outcome, h.exam(examID))
				}
				return
			}
			e := h.exam(examID)
			if e.Status != exam.StatusFinished || e.Notification.Status != exam.NotificationSent || len(sent) != 1 || sent[0].ExamID != examID {
				t.Fatalf("exam %+v, sent %+v", e, sent)
			}
		})
	}
}

// TestEveryReasonIsProduced: the tests above and TestPermanentRefusals
// between them file a result for each of the documented reasons (docs/results.md).
func TestEveryReasonIsProduced(t *testing.T) {
	produced := map[resultfiling.Reason]bool{resultfiling.Unfileable: true} // TestPermanentRefusals
	for _, c := range outcomeCases() {
		produced[c.reason] = true
	}
	for _, r := range resultfiling.Reasons {
		if !produced[r] {
			t.Errorf("no test files a result for %s", r)
		}
	}
	if len(resultfiling.Reasons) != 17 || len(produced) != 17 {
		t.Fatalf("%d reasons, %d produced; docs/results.md lists 17", len(resultfiling.Reasons), len(produced))
	}
}

func TestTransientFailuresLeaveTheObject(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(h *harness)
		// finished: the exam is Finished (pending notification) after the failure
		finished bool
	}{
		{"exam store down", func(h *harness) { h.store.FailWith(fmt.Errorf("%w: dynamodb 500", exam.ErrDependency)) }, false},
		{"patient manager down", func(h *harness) { h.patients.FailWith(fmt.Errorf("%w: timeout", exam.ErrDependency)) }, false},
		{"notifier down", func(h *harness) { h.notifier.FailNext(1) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			e, tok := h.startedExam(fakes.ActiveSMS)
			key := "completed/2026_11/" + e.ID + ".pdf"
			ev := h.putPDF(key, tok, h.resultToken(e.ID))
			tt.break_(h)
			if err := h.handle(context.Background(), ev); err == nil {
				t.Fatal("a transient failure did not fail the invocation")
			}
			h.expectKeys(key)
			got := h.exam(e.ID)
			if tt.finished != (got.Status == exam.StatusFinished) || (tt.finished && got.Notification.Status != exam.NotificationPending) {
				t.Fatalf("after the failure: %+v", got)
			}
			if n := len(h.notifier.Sent()); n != 0 {
				t.Fatalf("%d notifications", n)
			}

			// Lambda's retry, once the dependency is back.
			h.store.FailWith(nil)
			h.patients.FailWith(nil)
			if err := h.handle(context.Background(), ev); err != nil {
				t.Fatalf("retry: %v", err)
			}
			h.expectKeys("processed/" + month + "/" + e.ID + ".pdf")
			if n := len(h.notifier.Sent()); n != 1 {
				t.Fatalf("%d notifications after the retry, want 1", n)
			}
		})
	}
}

func TestEncodedKeys(t *testing.T) {
	for _, name := range []string{
		"resultado final.pdf", "a+b.pdf", "100% pronto.pdf", "exame de coração ção.pdf", "ümlaut ß 日本.pdf", "a%2Bb.pdf",
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			e, tok := h.startedExam(fakes.ActiveSMS)
			ev := h.putPDF("completed/2026_11/"+name, tok, h.resultToken(e.ID))
			if raw := ev.Records[0].S3.Object.Key; strings.ContainsAny(raw, " ") {
				t.Fatalf("event key not encoded: %q", raw)
			}
			if err := h.handle(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
			h.expectKeys("processed/" + month + "/" + name)
			if h.exam(e.ID).Status != exam.StatusFinished {
				t.Fatal("exam not finished")
			}
		})
	}
}

func TestRepeatedEvents(t *testing.T) {
	for _, mode := range []string{"one after another", "concurrently"} {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t)
			e, tok := h.startedExam(fakes.ActiveSMS)
			ev := h.putPDF("completed/2026_11/"+e.ID+".pdf", tok, h.resultToken(e.ID))
			deliver := func() {
				// A delivery that finds another one sending fails, and Lambda
				// retries it. The bound only stops a hang: under load the
				// sender may hold its claim for a while.
				for giveUp := time.Now().Add(time.Minute); time.Now().Before(giveUp); {
					if h.handle(context.Background(), ev) == nil {
						return
					}
					time.Sleep(10 * time.Millisecond)
				}
				t.Error("a delivery never succeeded")
			}
			if mode == "concurrently" {
				concurrently(10, deliver)
			} else {
				for range 10 {
					deliver()
				}
			}
			h.expectKeys("processed/" + month + "/" + e.ID + ".pdf")
			if n := len(h.notifier.Sent()); n != 1 {
				t.Fatalf("%d notifications, want 1", n)
			}
			if got := h.exam(e.ID); got.Status != exam.StatusFinished || got.Notification.Status != exam.NotificationSent {
				t.Fatalf("exam %+v", got)
			}
		})
	}
}

func TestNotifierFailsOnceThenRedelivery(t *testing.T) {
	h := newHarness(t)
	e, tok := h.startedExam(fakes.ActiveEmail)
	key := "completed/2026_11/" + e.ID + ".pdf"
	ev := h.putPDF(key, tok, h.resultToken(e.ID))
	h.notifier.FailNext(1)
	if err := h.handle(context.Background(), ev); err == nil {
		t.Fatal("no error")
	}
	h.expectKeys(key)
	if got := h.exam(e.ID); got.Status != exam.StatusFinished || got.Notification.Status != exam.NotificationPending {
		t.Fatalf("after the failed send: %+v", got)
	}
	if err := h.handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	h.expectKeys("processed/" + month + "/" + e.ID + ".pdf")
	if sent := h.notifier.Sent(); len(sent) != 1 || sent[0].Channel != exam.ChannelEmail {
		t.Fatalf("sent %+v", sent)
	}
}

func TestMoveFailsAfterNotification(t *testing.T) {
	h := newHarness(t)
	e, tok := h.startedExam(fakes.ActiveSMS)
	key := "completed/2026_11/" + e.ID + ".pdf"
	ev := h.putPDF(key, tok, h.resultToken(e.ID))
	h.objects.failMove.Store(true)
	if err := h.handle(context.Background(), ev); err == nil {
		t.Fatal("no error")
	}
	h.expectKeys(key)
	if n := len(h.notifier.Sent()); n != 1 {
		t.Fatalf("%d notifications before the retry", n)
	}
	if err := h.handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	h.expectKeys("processed/" + month + "/" + e.ID + ".pdf")
	if n := len(h.notifier.Sent()); n != 1 {
		t.Fatalf("the retry notified again: %d notifications", n)
	}
}

func TestNeverOverwritesADifferentObject(t *testing.T) {
	h := newHarness(t)
	h.put("processed/"+month+"/r.pdf", "application/pdf", []byte("someone else's file"), nil)
	e, tok := h.startedExam(fakes.ActiveSMS)
	ev := h.putPDF("completed/2026_11/r.pdf", tok, h.resultToken(e.ID))
	if err := h.handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	obj := ev.Records[0].S3.Object
	keys := h.keys()
	if len(keys) != 2 || keys[0] != "processed/"+month+"/r-"+s3results.SourceDigest(bucket, obj.URLDecodedKey, obj.VersionID)[:12]+".pdf" || keys[1] != "processed/"+month+"/r.pdf" {
		t.Fatalf("bucket holds %q", keys)
	}
	if body := h.get("processed/" + month + "/r.pdf"); body != "someone else's file" {
		t.Fatalf("the existing object was overwritten: %q", body)
	}
}

func TestOversizedJSONIsNotRead(t *testing.T) {
	h := newHarness(t)
	e, tok := h.startedExam(fakes.ActiveSMS)
	big := []byte(`{"exam_token": "` + tok + `", "result_token": "` + h.resultToken(e.ID) + `", "pad": "` +
		strings.Repeat("x", 10<<20) + `"}`)
	ev := h.put("completed/2026_11/big.json", "application/json", big, nil)
	h.bodyBytes.Store(0)
	if err := h.handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	h.expectKeys("stuck/" + month + "/big.json")
	// The whole processing, the move included, read far less than the body.
	if n := h.bodyBytes.Load(); n > 64<<10 {
		t.Fatalf("read %d bytes of S3 response bodies for a %d-byte object", n, len(big))
	}
	if h.exam(e.ID).Status != exam.StatusStarted {
		t.Fatal("an unread result finished the exam")
	}
}

func TestObjectsOutsideCompletedOrTheBucketAreIgnored(t *testing.T) {
	h := newHarness(t)
	ev := h.putPDF("incoming/r.pdf", "", "")
	if err := h.handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	ev = h.putPDF("completed/2026_11/r.pdf", "", "")
	ev.Records[0].S3.Bucket.Name = "another-bucket"
	if err := h.handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	h.expectKeys("completed/2026_11/r.pdf", "incoming/r.pdf")
}
