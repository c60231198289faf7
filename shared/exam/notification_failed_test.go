package exam_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/emftest"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// refusingNotifier refuses every message for good with code, counting the tries.
type refusingNotifier struct {
	code  string
	tries int
}

func (n *refusingNotifier) Notify(context.Context, exam.Message) error {
	n.tries++
	return fmt.Errorf("sns refused the message: %s: %w", n.code, &exam.RefusedError{Code: n.code})
}

// A permanent refusal finishes the exam with its notification failed and the
// provider's code: no error, so nothing retries it, and a repeated delivery of
// the same result sends nothing more.
func TestAPermanentRefusalIsRecordedFailedNotRetried(t *testing.T) {
	f := newFinishFixture(t)
	refusing := &refusingNotifier{code: "InvalidParameter"}
	f.finish.Notifier = refusing
	logs := logtest.Capture(t)
	ctx := context.Background()
	for range 3 {
		e, err := f.finish.Run(ctx, exam.ProcessResultActor, f.examTok, f.result)
		if err != nil {
			t.Fatalf("a permanent refusal failed the finish: %v", err)
		}
		n := e.Notification
		if e.Status != exam.StatusFinished || n.Status != exam.NotificationFailed || n.Code != "InvalidParameter" ||
			n.Channel != exam.ChannelSMS || n.At.IsZero() || n.ClaimOwner != "" {
			t.Fatalf("exam %s, notification %+v; want Finished, failed by sms with InvalidParameter", e.Status, n)
		}
	}
	if refusing.tries != 1 {
		t.Fatalf("the refused message was tried %d times, want once", refusing.tries)
	}
	points, err := emftest.Read(logs.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"ExamsFinished{Path=automatic}": 1, "NotificationsFailed{Channel=sms}": 1}
	if got := emftest.Sums(points); !maps.Equal(got, want) {
		t.Errorf("metrics %v, want %v", got, want)
	}
	if !strings.Contains(logs.String(), `"code":"InvalidParameter"`) {
		t.Errorf("no log line says the provider's code: %s", logs)
	}
}

// The toll-fraud guard: a cellphone that is not a Brazilian mobile never gets
// an SMS; a verified e-mail is used instead, else the notification fails with
// invalid_destination. The contacts never reach a log line.
func TestOnlyBrazilianMobilesGetAnSMS(t *testing.T) {
	for _, tc := range []struct {
		name, phone   string
		emailVerified bool
	}{
		{"malformed number", "11 98765-4321", false},
		{"malformed number, verified e-mail", "11 98765-4321", true},
		{"US number", "+12025550143", false},
		{"US number, verified e-mail", "+12025550143", true},
		{"Brazilian landline", "+551132654321", false},
		{"Brazilian landline, verified e-mail", "+551132654321", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFinishFixture(t)
			p := fakes.ActiveSMS
			p.Cellphone, p.EmailVerified = tc.phone, tc.emailVerified
			f.finish.Patients = fakes.NewPatients(p)
			logs := logtest.Capture(t)
			e, err := f.finish.Run(context.Background(), exam.ProcessResultActor, f.examTok, f.result)
			if err != nil {
				t.Fatal(err)
			}
			sent := f.notifier.Sent()
			for _, m := range sent {
				if m.Channel == exam.ChannelSMS || m.To == tc.phone {
					t.Fatalf("an SMS went to a number that is not a Brazilian mobile: %+v", m)
				}
			}
			n := e.Notification
			if tc.emailVerified {
				if len(sent) != 1 || sent[0].To != p.Email || n.Status != exam.NotificationSent || n.Channel != exam.ChannelEmail {
					t.Fatalf("sent %+v, notification %+v; want one e-mail to the verified address", sent, n)
				}
			} else if len(sent) != 0 || n.Status != exam.NotificationFailed || n.Code != exam.InvalidDestination {
				t.Fatalf("sent %+v, notification %+v; want nothing sent, failed with %s", sent, n, exam.InvalidDestination)
			}
			logtest.CheckLines(t, logs, []string{tc.phone, strings.TrimPrefix(tc.phone, "+"), p.Email, p.Document, "Maria", "Silva"})
		})
	}
}

// A message not accepted for a passing reason (throttling, a 5xx) is still
// retried: the claim is given back and the finish fails.
func TestATransientRefusalIsStillRetried(t *testing.T) {
	f := newFinishFixture(t)
	f.notifier.FailNext(1)
	ctx := context.Background()
	if _, err := f.finish.Run(ctx, exam.ProcessResultActor, f.examTok, f.result); !errors.Is(err, exam.ErrDependency) {
		t.Fatalf("err = %v, want a dependency failure", err)
	}
	e, err := f.finish.Run(ctx, exam.ProcessResultActor, f.examTok, f.result)
	if err != nil || e.Notification.Status != exam.NotificationSent || len(f.notifier.Sent()) != 1 {
		t.Fatalf("retry: %+v, %v; sent %d", e.Notification, err, len(f.notifier.Sent()))
	}
}
