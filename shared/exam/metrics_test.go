package exam_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/telemetry"
	"github.com/zmed/exam-manager/shared/testsupport/emftest"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
	"github.com/zmed/exam-manager/shared/token"
)

// TestUseCasesCountTheirFacts: each use case emits its metric once per fact,
// not per call (a repeated finish, a refused revoke count nothing more).
func TestUseCasesCountTheirFacts(t *testing.T) {
	logs := logtest.Capture(t)
	f := newFinishFixture(t) // registers and starts one exam
	ctx := context.Background()
	for range 2 { // the same result twice: one finish, one notification
		if _, err := f.finish.Run(ctx, attendant, f.examTok, f.result); err != nil {
			t.Fatal(err)
		}
	}
	patients := fakes.AllPatients()
	revoke := exam.Revoke{Patients: patients, Exams: f.store, Now: f.clock.Now, Observer: telemetry.Observer{}}
	if _, err := revoke.Run(ctx, attendant, fakes.ActiveSMS.Document, f.examID, "finished already"); err == nil {
		t.Fatal("a finished exam was revoked")
	}
	other, err := exam.Register{Patients: patients, Exams: f.store, Now: f.clock.Now, NewID: fakes.NewID, Observer: telemetry.Observer{}}.Run(ctx, attendant,
		exam.RegisterRequest{Document: fakes.ActiveSMS.Document, Type: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := revoke.Run(ctx, attendant, fakes.ActiveSMS.Document, other.Exam.ID, "wrong exam"); err != nil {
		t.Fatal(err)
	}
	// Replays count nothing: a keyed register sent twice, a start repeated.
	register := exam.Register{Patients: patients, Exams: f.store, Now: f.clock.Now, NewID: fakes.NewID, Observer: telemetry.Observer{}}
	keyed := exam.RegisterRequest{Document: fakes.ActiveSMS.Document, Type: 1, Idempotency: exam.IdempotencyKey{Key: "k-1"}}
	first, err := register.Run(ctx, attendant, keyed)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := register.Run(ctx, attendant, keyed); err != nil || !again.Replayed {
		t.Fatalf("keyed register again: %+v, %v", again, err)
	}
	issuer, _ := token.NewIssuer(examKey, time.Hour, f.clock.Now)
	start := exam.Start{Patients: patients, Exams: f.store, Tokens: issuer, Now: f.clock.Now, Observer: telemetry.Observer{}}
	for range 2 {
		if _, _, err := start.Run(ctx, attendant, fakes.ActiveSMS.Document, first.Exam.ID, 1); err != nil {
			t.Fatal(err)
		}
	}
	// A result finished by the automatic path is counted as such.
	auto := newFinishFixture(t)
	if _, err := auto.finish.Run(ctx, exam.ProcessResultActor, auto.examTok, auto.result); err != nil {
		t.Fatal(err)
	}

	points, err := emftest.Read(logs.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	got := emftest.Sums(points)
	want := map[string]float64{
		"ExamsRegistered{}": 4, "ExamsStarted{}": 3, "ExamsRevoked{}": 1,
		"ExamsFinished{Path=manual}": 1, "ExamsFinished{Path=automatic}": 1,
		"NotificationsSent{Channel=sms}": 2,
	}
	if !maps.Equal(got, want) {
		t.Errorf("metrics %v, want %v", got, want)
	}
}

func TestAbandonedClaimCountsAnUnconfirmedNotification(t *testing.T) {
	f := newFinishFixture(t)
	ctx := context.Background()
	e, _ := f.store.Get(ctx, f.examID)
	if _, err := f.store.Transition(ctx, exam.Transition{
		ExamID: e.ID, PatientID: e.PatientID, ExamType: e.Type,
		From: []exam.Status{exam.StatusStarted}, To: exam.StatusFinished, At: f.clock.Now(),
		ResultRef:    exam.ResultRef(f.result),
		Notification: exam.Notification{Status: exam.NotificationPending, ClaimOwner: "crashed", ClaimUntil: f.clock.Now()},
	}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	logs := logtest.Capture(t)
	if _, err := f.finish.Run(ctx, attendant, f.examTok, f.result); err != nil {
		t.Fatal(err)
	}
	points, err := emftest.Read(logs.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got := emftest.Sums(points); !maps.Equal(got, map[string]float64{"NotificationsUnconfirmed{}": 1}) {
		t.Errorf("metrics %v, want one NotificationsUnconfirmed", got)
	}
}

func TestALostSendAnswerCountsAnUnconfirmedNotification(t *testing.T) {
	f := newFinishFixture(t)
	f.finish.Notifier = notifierFunc(func(context.Context, exam.Message) error { return exam.ErrDeliveryUnknown })
	logs := logtest.Capture(t)
	if _, err := f.finish.Run(context.Background(), attendant, f.examTok, f.result); err != nil {
		t.Fatal(err)
	}
	points, err := emftest.Read(logs.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"ExamsFinished{Path=manual}": 1, "NotificationsUnconfirmed{}": 1}
	if got := emftest.Sums(points); !maps.Equal(got, want) {
		t.Errorf("metrics %v, want %v", got, want)
	}
}
