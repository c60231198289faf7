package exam_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
)

// failedFixture is a finished exam whose SMS was refused for a malformed
// number; patients is the directory both use cases read.
func failedFixture(t *testing.T) (*finishFixture, *fakes.Patients, exam.Resend) {
	t.Helper()
	f := newFinishFixture(t)
	p := fakes.ActiveSMS
	p.Cellphone, p.EmailVerified = "+5511987654321", false
	patients := fakes.NewPatients(p)
	f.finish.Patients = patients
	f.finish.Notifier = &refusingNotifier{code: "InvalidParameter"}
	e, err := f.finish.Run(context.Background(), exam.ProcessResultActor, f.examTok, f.result)
	if err != nil || e.Notification.Status != exam.NotificationFailed {
		t.Fatalf("arrange: %+v, %v", e.Notification, err)
	}
	return f, patients, exam.Resend{Exams: f.store, Patients: patients, Notifier: f.notifier, Now: f.clock.Now, NewID: fakes.NewID}
}

// Once the contact is fixed, the operator's resend reads the patient again
// and sends to the contact as it now is, once.
func TestResendSendsAFailedNotificationToTheFixedContact(t *testing.T) {
	f, patients, resend := failedFixture(t)
	fixed := fakes.ActiveSMS
	fixed.Cellphone = "+5521998765432"
	patients.Put(fixed)
	ctx := context.Background()
	e, err := resend.Run(ctx, f.examID)
	if err != nil {
		t.Fatal(err)
	}
	sent := f.notifier.Sent()
	if len(sent) != 1 || sent[0].To != fixed.Cellphone || e.Notification.Status != exam.NotificationSent || e.Notification.Code != "" {
		t.Fatalf("sent %+v, notification %+v; want one SMS to the fixed number", sent, e.Notification)
	}
	if stored, _ := f.store.Get(ctx, f.examID); stored.Notification != e.Notification {
		t.Fatalf("stored %+v, returned %+v", stored.Notification, e.Notification)
	}
	if _, err := resend.Run(ctx, f.examID); !errors.Is(err, exam.ErrNotificationNotFailed) {
		t.Fatalf("a second resend: %v, want ErrNotificationNotFailed", err)
	}
	if n := len(f.notifier.Sent()); n != 1 {
		t.Fatalf("%d messages sent, want 1", n)
	}
}

// Two resends of one failure at once: one sends.
func TestConcurrentResendsSendOnce(t *testing.T) {
	f, _, resend := failedFixture(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = resend.Run(context.Background(), f.examID)
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, exam.ErrNotificationNotFailed):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if wins != 1 || len(f.notifier.Sent()) != 1 {
		t.Fatalf("%d resends won, %d messages sent; want 1 and 1", wins, len(f.notifier.Sent()))
	}
}

// A resend whose send is not accepted gives the failure back untouched, so
// that it can be sent again; one refused for good fails again with the new code.
func TestResendOutcomes(t *testing.T) {
	ctx := context.Background()
	t.Run("transient failure keeps the failure", func(t *testing.T) {
		f, _, resend := failedFixture(t)
		before, _ := f.store.Get(ctx, f.examID)
		f.notifier.FailNext(1)
		if _, err := resend.Run(ctx, f.examID); !errors.Is(err, exam.ErrDependency) {
			t.Fatalf("err = %v, want a dependency failure", err)
		}
		if after, _ := f.store.Get(ctx, f.examID); after.Notification != before.Notification {
			t.Fatalf("notification %+v, want the failure back %+v", after.Notification, before.Notification)
		}
		if e, err := resend.Run(ctx, f.examID); err != nil || e.Notification.Status != exam.NotificationSent {
			t.Fatalf("resend after the outage: %+v, %v", e.Notification, err)
		}
	})
	t.Run("refused again", func(t *testing.T) {
		f, _, resend := failedFixture(t)
		resend.Notifier = &refusingNotifier{code: "MessageRejected"}
		e, err := resend.Run(ctx, f.examID)
		if err != nil || e.Notification.Status != exam.NotificationFailed || e.Notification.Code != "MessageRejected" {
			t.Fatalf("%+v, %v; want failed with MessageRejected", e.Notification, err)
		}
	})
	t.Run("a claim left by a stopped sender becomes unconfirmed, never resent", func(t *testing.T) {
		f, _, resend := failedFixture(t)
		before, _ := f.store.Get(ctx, f.examID)
		if _, err := f.store.ClaimFailedNotification(ctx, f.examID, before.Notification.At,
			exam.Notification{Status: exam.NotificationPending, ClaimOwner: "stopped", ClaimUntil: f.clock.Now()}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
		e, err := resend.Run(ctx, f.examID)
		if err != nil || e.Notification.Status != exam.NotificationUnconfirmed || len(f.notifier.Sent()) != 0 {
			t.Fatalf("%+v, %v, sent %d; want unconfirmed and nothing sent", e.Notification, err, len(f.notifier.Sent()))
		}
	})
	t.Run("only a failed notification", func(t *testing.T) {
		f := newFinishFixture(t)
		resend := exam.Resend{Exams: f.store, Patients: fakes.AllPatients(), Notifier: f.notifier, Now: f.clock.Now, NewID: fakes.NewID}
		if _, err := resend.Run(ctx, f.examID); !errors.Is(err, exam.ErrNotificationNotFailed) {
			t.Fatalf("a started exam: %v", err)
		}
		if _, err := f.finish.Run(ctx, attendant, f.examTok, f.result); err != nil {
			t.Fatal(err)
		}
		if _, err := resend.Run(ctx, f.examID); !errors.Is(err, exam.ErrNotificationNotFailed) {
			t.Fatalf("a sent notification: %v", err)
		}
		if _, err := resend.Run(ctx, "no-such-exam"); !errors.Is(err, exam.ErrExamNotFound) {
			t.Fatalf("a missing exam: %v", err)
		}
		if n := len(f.notifier.Sent()); n != 1 {
			t.Fatalf("%d messages sent, want the finish's one", n)
		}
	})
}
