package exam_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/telemetry"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/memstore"
	"github.com/zmed/exam-manager/shared/token"
)

var (
	examKey   = []byte("test-exam-token-key-0123456789abcdef")
	resultKey = []byte("test-result-token-key-0123456789abcdef")
)

type finishFixture struct {
	store     *memstore.Store
	notifier  *fakes.Notifier
	clock     *fakes.Clock
	finish    exam.Finish
	examID    string
	examTok   string
	labelCode string
	result    string
}

func newFinishFixture(t *testing.T) *finishFixture {
	t.Helper()
	return newSignedFinishFixture(t, examKey, [][]byte{examKey})
}

// newSignedFinishFixture starts the exam with signer and verifies with ring.
func newSignedFinishFixture(t *testing.T, signer []byte, ring [][]byte) *finishFixture {
	t.Helper()
	f := &finishFixture{
		store:    memstore.New(),
		notifier: &fakes.Notifier{},
		clock:    fakes.NewClock(time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)),
	}
	issuer, err := token.NewIssuer(signer, time.Hour, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := token.NewRotatingVerifier(ring, [][]byte{resultKey}, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	patients := fakes.AllPatients()
	ctx := context.Background()
	r, err := exam.Register{Patients: patients, Exams: f.store, Now: f.clock.Now, NewID: fakes.NewID, Observer: telemetry.Observer{}}.Run(ctx, attendant, exam.RegisterRequest{Document: fakes.ActiveSMS.Document, Type: 1})
	e := r.Exam
	if err != nil {
		t.Fatal(err)
	}
	_, issued, err := exam.Start{Patients: patients, Exams: f.store, Tokens: issuer, Now: f.clock.Now, Observer: telemetry.Observer{}}.Run(ctx, attendant, fakes.ActiveSMS.Document, e.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	f.examTok, f.labelCode = issued.ExamToken, issued.LabelCode
	f.examID = e.ID
	f.result, _ = token.MintResultToken(resultKey, e.ID, f.clock.Now(), time.Hour)
	f.finish = exam.Finish{Tokens: verifier, Exams: f.store, Patients: patients, Notifier: f.notifier, Now: f.clock.Now, NewID: fakes.NewID, Observer: telemetry.Observer{}}
	return f
}

func TestConcurrentFinishNotifiesOnce(t *testing.T) {
	f := newFinishFixture(t)
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.finish.Run(context.Background(), attendant, f.examTok, f.result)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, exam.ErrNotificationClaimed) {
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if n := len(f.notifier.Sent()); n != 1 {
		t.Fatalf("%d notifications, want 1", n)
	}
	e, _ := f.store.Get(context.Background(), f.examID)
	if e.Status != exam.StatusFinished || e.Notification.Status != exam.NotificationSent {
		t.Fatalf("exam %+v", e)
	}
}

// A sender that claimed and then stopped (crashed, timed out) leaves a claim.
// While it lasts others back off; after it, nobody sends again: it may have gone out.
func TestAbandonedClaimIsNeverResent(t *testing.T) {
	f := newFinishFixture(t)
	ctx := context.Background()
	e, _ := f.store.Get(ctx, f.examID)
	until := f.clock.Now().Add(30 * time.Second)
	_, err := f.store.Transition(ctx, exam.Transition{
		ExamID: e.ID, PatientID: e.PatientID, ExamType: e.Type,
		From: []exam.Status{exam.StatusStarted}, To: exam.StatusFinished, At: f.clock.Now(),
		ResultRef:    exam.ResultRef(f.result),
		Notification: exam.Notification{Status: exam.NotificationPending, ClaimOwner: "crashed", ClaimUntil: until},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.finish.Run(ctx, attendant, f.examTok, f.result); !errors.Is(err, exam.ErrNotificationClaimed) {
		t.Fatalf("while the claim lasts: %v, want ErrNotificationClaimed", err)
	}
	f.clock.Advance(time.Minute)
	got, err := f.finish.Run(ctx, attendant, f.examTok, f.result)
	if err != nil || got.Notification.Status != exam.NotificationUnconfirmed {
		t.Fatalf("after the claim: %+v, %v; want unconfirmed", got.Notification, err)
	}
	if n := len(f.notifier.Sent()); n != 0 {
		t.Fatalf("an abandoned claim was sent again (%d)", n)
	}
	if _, err := f.finish.Run(ctx, attendant, f.examTok, f.result); err != nil {
		t.Fatalf("repeat after unconfirmed: %v", err)
	}
}

// notifierFunc adapts a function to exam.Notifier.
type notifierFunc func(ctx context.Context, m exam.Message) error

func (f notifierFunc) Notify(ctx context.Context, m exam.Message) error { return f(ctx, m) }

func TestClaimLastsUntilTheDeadline(t *testing.T) {
	f := newFinishFixture(t)
	deadline := time.Now().Add(42 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	var during exam.Notification
	f.finish.Notifier = notifierFunc(func(ctx context.Context, m exam.Message) error {
		e, _ := f.store.Get(ctx, f.examID)
		during = e.Notification
		return errors.New("refused")
	})
	if _, err := f.finish.Run(ctx, attendant, f.examTok, f.result); !errors.Is(err, exam.ErrDependency) {
		t.Fatalf("err = %v", err)
	}
	if during.ClaimOwner == "" || !during.ClaimUntil.Equal(deadline.UTC()) || during.Status != exam.NotificationPending {
		t.Fatalf("claim while sending: %+v, want one held until the deadline %v", during, deadline)
	}
	// The failed send released its claim, so a retry may send.
	e, _ := f.store.Get(ctx, f.examID)
	if e.Notification.ClaimOwner != "" || e.Notification.Status != exam.NotificationPending {
		t.Fatalf("claim not released: %+v", e.Notification)
	}
}

// A send whose answer was lost may have been delivered: it is recorded
// unconfirmed and never sent again, however often the result comes back.
func TestLostSendAnswerIsNeverResent(t *testing.T) {
	f := newFinishFixture(t)
	var sends int
	f.finish.Notifier = notifierFunc(func(ctx context.Context, m exam.Message) error {
		sends++
		return fmt.Errorf("sns Publish: connection reset: %w", exam.ErrDeliveryUnknown)
	})
	ctx := context.Background()
	for attempt := range 3 {
		e, err := f.finish.Run(ctx, attendant, f.examTok, f.result)
		if err != nil {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
		if e.Status != exam.StatusFinished || e.Notification.Status != exam.NotificationUnconfirmed || e.Notification.Channel != exam.ChannelSMS {
			t.Fatalf("attempt %d: %+v, want Finished with an unconfirmed SMS", attempt, e)
		}
	}
	if sends != 1 {
		t.Fatalf("%d sends, want 1", sends)
	}
}
