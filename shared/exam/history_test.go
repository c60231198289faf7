package exam_test

import (
	"context"
	"errors"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
)

var bruno = exam.Actor{Kind: exam.ActorAttendant, ID: "8d0e1f2a-3b4c-4d5e-8f60-718293a4b5c6", Name: "bruno"}

// TestHistoryNamesEachStepsActor: every transition appends one entry naming
// the actor that made it, oldest first, and a refused one appends nothing.
func TestHistoryNamesEachStepsActor(t *testing.T) {
	f := newFinishFixture(t) // registered and started by attendant
	ctx := context.Background()
	if _, err := f.finish.Run(ctx, exam.ProcessResultActor, f.examTok, f.result); err != nil {
		t.Fatal(err)
	}
	// The same result again changes nothing, so it records nothing.
	if _, err := f.finish.Run(ctx, bruno, f.examTok, f.result); err != nil {
		t.Fatal(err)
	}
	e, err := f.store.Get(ctx, f.examID)
	if err != nil {
		t.Fatal(err)
	}
	want := []exam.HistoryEntry{
		{Status: exam.StatusRegistered, At: e.CreatedAt, By: attendant},
		{Status: exam.StatusStarted, At: e.StartedAt, By: attendant},
		{Status: exam.StatusFinished, At: e.FinishedAt, By: exam.ProcessResultActor},
	}
	if len(e.History) != len(want) {
		t.Fatalf("history %+v, want %+v", e.History, want)
	}
	for i := range want {
		if got := e.History[i]; got.Status != want[i].Status || !got.At.Equal(want[i].At) || got.By != want[i].By {
			t.Fatalf("history[%d] = %+v, want %+v", i, got, want[i])
		}
	}

	d := newDomain()
	id := d.registered(t, fakes.ActiveSMS).ID
	if _, err := d.revoke().Run(ctx, bruno, fakes.ActiveSMS.Document, id, "duplicated"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.revoke().Run(ctx, attendant, fakes.ActiveSMS.Document, id, "again"); !errors.Is(err, exam.ErrInvalidTransition) {
		t.Fatalf("second revoke = %v", err)
	}
	h := d.stored(t, id).History
	if len(h) != 2 || h[0].By != attendant || h[1].By != bruno || h[1].Status != exam.StatusRevoked {
		t.Fatalf("history %+v: want registered by %s, revoked by %s", h, attendant.ID, bruno.ID)
	}
}

// TestNoAnonymousWrite: a use case given no actor refuses before any call.
func TestNoAnonymousWrite(t *testing.T) {
	ctx := context.Background()
	for _, anonymous := range []exam.Actor{{}, {Kind: exam.ActorAttendant}, {ID: "someone"}, {Kind: "robot", ID: "x"}} {
		d := newDomain()
		id := d.registered(t, fakes.ActiveSMS).ID
		d.store.FailWith(errDown)
		lookupsFail(d)
		calls := map[string]func() error{
			"register": func() error {
				_, err := d.register().Run(ctx, anonymous, exam.RegisterRequest{Document: fakes.ActiveSMS.Document, Type: 1})
				return err
			},
			"start": func() error {
				_, _, err := d.start().Run(ctx, anonymous, fakes.ActiveSMS.Document, id, 1)
				return err
			},
			"revoke": func() error { _, err := d.revoke().Run(ctx, anonymous, fakes.ActiveSMS.Document, id, "x"); return err },
			"finish": func() error { _, err := exam.Finish{}.Run(ctx, anonymous, "a", "b"); return err },
		}
		for name, call := range calls {
			if err := call(); !errors.Is(err, exam.ErrNoActor) {
				t.Errorf("%s by %+v = %v, want ErrNoActor", name, anonymous, err)
			}
		}
	}
}
