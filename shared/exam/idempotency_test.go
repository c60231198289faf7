package exam_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
)

func TestValidIdempotencyKey(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want bool
	}{
		{"a", true},
		{"form-7_Submit-2026", true},
		{strings.Repeat("k", 64), true},
		{"", false},
		{strings.Repeat("k", 65), false},
		{"has space", false},
		{"dot.ted", false},
		{"ção", false},
		{"529.982.247-25", false},
		{"key\n", false},
	} {
		if got := exam.ValidIdempotencyKey(tc.key); got != tc.want {
			t.Errorf("ValidIdempotencyKey(%q) = %v, want %v", tc.key, got, tc.want)
		}
	}
}

func TestIdempotentExamID(t *testing.T) {
	id := exam.IdempotentExamID("ana", "k-1")
	if u, err := uuid.Parse(id); err != nil || len(id) != 36 || u.Version() != 5 {
		t.Fatalf("IdempotentExamID = %q (%v), want a version 5 UUID", id, err)
	}
	if again := exam.IdempotentExamID("ana", "k-1"); again != id {
		t.Fatalf("not deterministic: %q then %q", id, again)
	}
	for _, other := range [][2]string{{"bia", "k-1"}, {"ana", "k-2"}, {"", "k-1"}, {"ana-k", "1"}, {"ana", "-k-1"}} {
		if exam.IdempotentExamID(other[0], other[1]) == id {
			t.Errorf("scope %q key %q gives the id of scope ana key k-1", other[0], other[1])
		}
	}
}

func TestRegisterWithIdempotencyKey(t *testing.T) {
	key := func(scope, k string) exam.IdempotencyKey { return exam.IdempotencyKey{Scope: scope, Key: k} }
	first := exam.RegisterRequest{Document: fakes.ActiveSMS.Document, Type: 3, Idempotency: key("ana", "submit-1")}
	for _, tc := range []struct {
		name         string
		again        exam.RegisterRequest
		want         error
		wantReplayed bool
		wantSameExam bool
	}{
		{"same request again replays", first, nil, true, true},
		{"same document with punctuation replays",
			exam.RegisterRequest{Document: "529.982.247-25", Type: 3, Idempotency: key("ana", "submit-1")}, nil, true, true},
		{"another document is a reused key",
			exam.RegisterRequest{Document: fakes.ActiveEmail.Document, Type: 3, Idempotency: key("ana", "submit-1")},
			exam.ErrIdempotencyKeyReused, false, false},
		{"another type is a reused key",
			exam.RegisterRequest{Document: fakes.ActiveSMS.Document, Type: 4, Idempotency: key("ana", "submit-1")},
			exam.ErrIdempotencyKeyReused, false, false},
		{"another caller's key of the same name is another exam",
			exam.RegisterRequest{Document: fakes.ActiveSMS.Document, Type: 3, Idempotency: key("bia", "submit-1")}, nil, false, false},
		{"another key is another exam",
			exam.RegisterRequest{Document: fakes.ActiveSMS.Document, Type: 3, Idempotency: key("ana", "submit-2")}, nil, false, false},
		{"no key is another exam",
			exam.RegisterRequest{Document: fakes.ActiveSMS.Document, Type: 3}, nil, false, false},
		{"a malformed key is refused before any lookup",
			exam.RegisterRequest{Document: fakes.ActiveSMS.Document, Type: 3, Idempotency: key("ana", "no spaces")},
			exam.ErrInvalidRequest, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDomain()
			created, err := d.register().Run(context.Background(), attendant, first)
			if err != nil || created.Replayed {
				t.Fatalf("first register: %+v, %v", created, err)
			}
			if created.Exam.ID != exam.IdempotentExamID("ana", "submit-1") {
				t.Fatalf("exam id %s is not the key's", created.Exam.ID)
			}
			d.clock.Advance(time.Hour)
			if tc.want == exam.ErrInvalidRequest {
				lookupsFail(d)
			}
			again, err := d.register().Run(context.Background(), attendant, tc.again)
			if !errors.Is(err, tc.want) || (tc.want != nil && err == nil) {
				t.Fatalf("second register: err = %v, want %v", err, tc.want)
			}
			if again.Replayed != tc.wantReplayed {
				t.Fatalf("second register replayed = %v, want %v", again.Replayed, tc.wantReplayed)
			}
			if tc.want != nil {
				return
			}
			if same := reflect.DeepEqual(again.Exam, created.Exam); same != tc.wantSameExam {
				t.Fatalf("second register answered %+v; first %+v; want the same exam: %v", again.Exam, created.Exam, tc.wantSameExam)
			}
			if got := d.stored(t, created.Exam.ID); !reflect.DeepEqual(got, created.Exam) {
				t.Fatalf("stored exam changed: %+v, was %+v", got, created.Exam)
			}
		})
	}
}

func TestConcurrentRegistersWithOneKeyCreateOneExam(t *testing.T) {
	d := newDomain()
	req := exam.RegisterRequest{Document: fakes.ActiveSMS.Document, Type: 1, Idempotency: exam.IdempotencyKey{Scope: "ana", Key: "double-click"}}
	const n = 20
	got := make([]exam.Registered, n)
	errs := make([]error, n)
	concurrently(n, func(i int) { got[i], errs[i] = d.register().Run(context.Background(), attendant, req) })
	created := 0
	for i := range n {
		if errs[i] != nil || !reflect.DeepEqual(got[i].Exam, got[0].Exam) {
			t.Fatalf("register %d: %+v, %v; register 0: %+v", i, got[i], errs[i], got[0])
		}
		if !got[i].Replayed {
			created++
		}
	}
	if created != 1 {
		t.Fatalf("%d registers created the exam, want 1", created)
	}
	page, err := d.store.ListByPatient(context.Background(), fakes.ActiveSMS.ID, 100, nil)
	if err != nil || len(page.Exams) != 1 {
		t.Fatalf("the patient has %d exams (%v), want 1", len(page.Exams), err)
	}
}

func TestRepeatedStartAnswersTheStartedExamWithANewToken(t *testing.T) {
	d := newDomain()
	first := d.started(t, fakes.ActiveSMS)
	d.clock.Advance(time.Hour)
	d.issued = nil
	again, issued, err := d.start().Run(context.Background(), attendant, fakes.ActiveSMS.Document, first.ID, 1)
	if err != nil {
		t.Fatalf("repeated start: %v", err)
	}
	// Nothing changed, the history included: only a transition's write appends to it.
	if !reflect.DeepEqual(again, first) || !reflect.DeepEqual(d.stored(t, first.ID), first) || len(first.History) != 2 {
		t.Fatalf("repeated start answered %+v, stored %+v; want the exam unchanged: %+v", again, d.stored(t, first.ID), first)
	}
	if len(d.issued) != 1 || issued != (exam.Issued{ExamToken: "token-of-" + first.ID, LabelCode: "label-of-" + first.ID}) {
		t.Fatalf("repeated start issued %+v and answered %+v, want one new token and label code", d.issued, issued)
	}
}

func TestConcurrentStartsMakeOneTransition(t *testing.T) {
	d := newDomain()
	id := d.registered(t, fakes.ActiveSMS).ID
	transitions := &countedTransitions{Transitioner: d.store}
	start := d.start()
	start.Exams = transitions
	const n = 50
	got := make([]exam.Exam, n)
	errs := make([]error, n)
	concurrently(n, func(i int) {
		by := attendant
		if i%2 == 1 {
			by = bruno
		}
		got[i], _, errs[i] = start.Run(context.Background(), by, fakes.ActiveSMS.Document, id, 1)
	})
	stored := d.stored(t, id)
	for i := range n {
		if errs[i] != nil || !reflect.DeepEqual(got[i], stored) {
			t.Fatalf("start %d: %+v, %v; stored %+v", i, got[i], errs[i], stored)
		}
	}
	if n := transitions.made.Load(); n != 1 {
		t.Fatalf("%d transitions made, want 1", n)
	}
	if h := stored.History; len(h) != 2 || h[1].Status != exam.StatusStarted {
		t.Fatalf("history %+v: want the registration and the one start that won", h)
	}
}

// countedTransitions counts the transitions its store made.
type countedTransitions struct {
	exam.Transitioner
	made atomic.Int32
}

func (c *countedTransitions) Transition(ctx context.Context, tr exam.Transition) (exam.Exam, error) {
	e, err := c.Transitioner.Transition(ctx, tr)
	if err == nil {
		c.made.Add(1)
	}
	return e, err
}

// concurrently runs f(0) … f(n-1) at once and waits for them all.
func concurrently(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i)
		}()
	}
	wg.Wait()
}
