package wiring

import (
	"context"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/telemetry"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/memstore"
	"github.com/zmed/exam-manager/shared/token"
)

// SNS takes the SMS, and its answer is lost on the way back: the patient gets
// exactly one message however often the result is delivered again (S3's
// repeated events, Lambda's retries, the communicate endpoint called again).
func TestAcceptedSMSWhoseAnswerIsLostIsSentOnce(t *testing.T) {
	examKey := []byte("lost-answer-exam-key-0123456789abcdef")
	resultKey := []byte("lost-answer-result-key-0123456789abcdef")
	clock := fakes.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	sns := emulators.NewLostAnswer()
	defer sns.Close()
	store, patients := memstore.New(), fakes.AllPatients()
	issuer, err := token.NewIssuer(examKey, time.Hour, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := token.NewVerifier(examKey, resultKey, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	registered, err := exam.Register{Patients: patients, Exams: store, Now: clock.Now, NewID: fakes.NewID, Observer: telemetry.Observer{}}.
		Run(ctx, fakes.Attendant, exam.RegisterRequest{Document: fakes.ActiveSMS.Document, Type: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, issued, err := exam.Start{Patients: patients, Exams: store, Tokens: issuer, Now: clock.Now, Observer: telemetry.Observer{}}.
		Run(ctx, fakes.Attendant, fakes.ActiveSMS.Document, registered.Exam.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	resultTok, err := token.MintResultToken(resultKey, registered.Exam.ID, clock.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	finish := exam.Finish{
		Tokens: verifier, Exams: store, Patients: patients, Now: clock.Now, NewID: fakes.NewID,
		Notifier: Notifier(emulators.Config(sns.URL), "resultados@zmed.example"), Observer: telemetry.Observer{},
	}
	for delivery := range 3 {
		e, err := finish.Run(ctx, exam.ProcessResultActor, issued.ExamToken, resultTok)
		if err != nil {
			t.Fatalf("delivery %d: %v", delivery, err)
		}
		if e.Status != exam.StatusFinished || e.Notification.Status != exam.NotificationUnconfirmed {
			t.Fatalf("delivery %d: %+v, want Finished, its SMS unconfirmed", delivery, e)
		}
		clock.Advance(time.Minute)
	}
	if n := sns.Received(); n != 1 {
		t.Fatalf("SNS received %d Publish requests, want exactly 1", n)
	}
}
