// Package storetest is the contract every exam store must pass: the in-memory
// store and the DynamoDB store (against each emulator) run the same suite.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/exam"
)

// NewStore returns an empty store.
type NewStore func(t *testing.T) exam.Store

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)

// Run runs the whole contract against stores made by newStore.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		run  func(t *testing.T, s exam.Store)
	}{
		{"create and get round-trip every field", testRoundTrip},
		{"create refuses a duplicate id", testDuplicate},
		{"get of a missing exam", testGetMissing},
		{"allowed transitions", testAllowedTransitions},
		{"refused transitions", testRefusedTransitions},
		{"notification claim, release and record", testNotification},
		{"failed notification: its code kept, claimed once to send again", testFailedNotification},
		{"concurrent starts have one winner", testConcurrentStarts},
		{"listing pages newest first", testListing},
		{"history: one entry per transition, in its write", testHistory},
		{"worklist: a queue per status from a day on, paged", testWorklistQueue},
		{"worklist: an exam moves between worklists in its transition's write", testWorklistMoves},
		{"worklist: items hold what an exam renders and the patient's name", testWorklistItems},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newStore(t)) })
	}
}

func newExam(patient string, created time.Time) exam.Exam {
	return exam.Exam{
		ID: uuid.NewString(), PatientID: patient, PatientDocument: "52998224725", Type: 3,
		Status: exam.StatusRegistered, CreatedAt: created, UpdatedAt: created,
	}
}

func mustCreate(t *testing.T, s exam.Store, e exam.Exam) exam.Exam {
	t.Helper()
	if err := s.Create(context.Background(), e); err != nil {
		t.Fatalf("Create: %v", err)
	}
	return e
}

func mustGet(t *testing.T, s exam.Store, id string) exam.Exam {
	t.Helper()
	e, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return e
}

// same compares exams field by field, times by instant.
func same(a, b exam.Exam) bool {
	ta := []time.Time{a.CreatedAt, a.UpdatedAt, a.StartedAt, a.FinishedAt, a.RevokedAt, a.Notification.At, a.Notification.ClaimUntil}
	tb := []time.Time{b.CreatedAt, b.UpdatedAt, b.StartedAt, b.FinishedAt, b.RevokedAt, b.Notification.At, b.Notification.ClaimUntil}
	for i := range ta {
		if !ta[i].Equal(tb[i]) {
			return false
		}
	}
	if !sameHistory(a.History, b.History) {
		return false
	}
	strip := func(e exam.Exam) exam.Exam {
		e.CreatedAt, e.UpdatedAt, e.StartedAt, e.FinishedAt, e.RevokedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
		e.Notification.At, e.Notification.ClaimUntil = time.Time{}, time.Time{}
		e.History = nil
		return e
	}
	return reflect.DeepEqual(strip(a), strip(b))
}

func sameHistory(a, b []exam.HistoryEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Status != b[i].Status || !a[i].At.Equal(b[i].At) || a[i].By != b[i].By {
			return false
		}
	}
	return true
}

// Actors of the transitions the suite makes.
var (
	ana     = exam.Actor{Kind: exam.ActorAttendant, ID: "3f6c2a9e-7b1d-4c5e-9a8f-2b3c4d5e6f70", Name: "ana.souza"}
	bruno   = exam.Actor{Kind: exam.ActorAttendant, ID: "8d0e1f2a-3b4c-4d5e-8f60-718293a4b5c6", Name: "Bruno Conceição"}
	process = exam.ProcessResultActor
)

func testRoundTrip(t *testing.T, s exam.Store) {
	full := newExam("patient-1", t0)
	full.Status = exam.StatusFinished
	full.StartedAt, full.FinishedAt = t0.Add(time.Minute), t0.Add(time.Hour)
	full.UpdatedAt = full.FinishedAt
	full.ResultRef = "ref"
	full.PatientName = "Maria José da Conceição"
	full.Notification = exam.Notification{Status: exam.NotificationSent, Channel: exam.ChannelSMS, At: t0.Add(2 * time.Hour)}
	revoked := newExam("patient-1", t0)
	revoked.Status, revoked.RevokedAt, revoked.RevokeReason = exam.StatusRevoked, t0.Add(time.Second), "pedido do paciente: ç"
	full.History = []exam.HistoryEntry{
		{Status: exam.StatusRegistered, At: t0, By: ana},
		{Status: exam.StatusStarted, At: full.StartedAt, By: bruno},
		{Status: exam.StatusFinished, At: full.FinishedAt, By: process},
	}
	revoked.History = []exam.HistoryEntry{{Status: exam.StatusRegistered, At: t0, By: ana}, {Status: exam.StatusRevoked, At: revoked.RevokedAt, By: bruno}}
	for _, e := range []exam.Exam{newExam("patient-1", t0), full, revoked} {
		mustCreate(t, s, e)
		if got := mustGet(t, s, e.ID); !same(got, e) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, e)
		}
	}
}

func testDuplicate(t *testing.T, s exam.Store) {
	e := mustCreate(t, s, newExam("patient-1", t0))
	other := newExam("patient-2", t0)
	other.ID = e.ID
	err := s.Create(context.Background(), other)
	var exists *exam.ExistsError
	if !errors.Is(err, exam.ErrExamAlreadyExists) || !errors.As(err, &exists) {
		t.Fatalf("duplicate Create = %v, want an *exam.ExistsError", err)
	}
	// A register with an Idempotency-Key answers a retry with the stored exam.
	if !same(exists.Current, e) {
		t.Fatalf("duplicate Create carries %+v, want the stored exam %+v", exists.Current, e)
	}
	if got := mustGet(t, s, e.ID); got.PatientID != "patient-1" {
		t.Fatalf("duplicate Create overwrote the exam: %+v", got)
	}
}

func testGetMissing(t *testing.T, s exam.Store) {
	if _, err := s.Get(context.Background(), uuid.NewString()); !errors.Is(err, exam.ErrExamNotFound) {
		t.Fatalf("Get missing = %v, want ErrExamNotFound", err)
	}
}

func start(e exam.Exam, at time.Time) exam.Transition {
	return exam.Transition{ExamID: e.ID, PatientID: e.PatientID, ExamType: e.Type,
		From: []exam.Status{exam.StatusRegistered}, To: exam.StatusStarted, At: at, By: ana}
}

func finish(e exam.Exam, at time.Time, owner string) exam.Transition {
	return exam.Transition{ExamID: e.ID, PatientID: e.PatientID, ExamType: e.Type,
		From: []exam.Status{exam.StatusStarted}, To: exam.StatusFinished, At: at, By: process, ResultRef: "result-ref",
		Notification: exam.Notification{Status: exam.NotificationPending, ClaimOwner: owner, ClaimUntil: at.Add(time.Minute)}}
}

func revoke(e exam.Exam, at time.Time) exam.Transition {
	return exam.Transition{ExamID: e.ID, PatientID: e.PatientID,
		From: []exam.Status{exam.StatusRegistered, exam.StatusStarted}, To: exam.StatusRevoked, At: at, By: bruno, Reason: "duplicated"}
}

func mustTransition(t *testing.T, s exam.Store, tr exam.Transition) exam.Exam {
	t.Helper()
	got, err := s.Transition(context.Background(), tr)
	if err != nil {
		t.Fatalf("Transition to %s: %v", tr.To, err)
	}
	if stored := mustGet(t, s, tr.ExamID); !same(stored, got) {
		t.Fatalf("Transition returned %+v but stored %+v", got, stored)
	}
	return got
}

func testAllowedTransitions(t *testing.T, s exam.Store) {
	t1, t2 := t0.Add(time.Minute), t0.Add(time.Hour)

	e := mustCreate(t, s, newExam("patient-1", t0))
	got := mustTransition(t, s, start(e, t1))
	if got.Status != exam.StatusStarted || !got.StartedAt.Equal(t1) || !got.UpdatedAt.Equal(t1) || !got.CreatedAt.Equal(t0) {
		t.Errorf("after start: %+v", got)
	}
	got = mustTransition(t, s, finish(e, t2, "owner-1"))
	want := exam.Notification{Status: exam.NotificationPending, ClaimOwner: "owner-1", ClaimUntil: t2.Add(time.Minute)}
	if got.Status != exam.StatusFinished || !got.FinishedAt.Equal(t2) || got.ResultRef != "result-ref" ||
		got.Notification.Status != want.Status || got.Notification.ClaimOwner != want.ClaimOwner || !got.Notification.ClaimUntil.Equal(want.ClaimUntil) {
		t.Errorf("after finish: %+v", got)
	}

	for _, from := range []bool{false, true} {
		e := mustCreate(t, s, newExam("patient-1", t0))
		if from {
			mustTransition(t, s, start(e, t1))
		}
		got := mustTransition(t, s, revoke(e, t2))
		if got.Status != exam.StatusRevoked || !got.RevokedAt.Equal(t2) || got.RevokeReason != "duplicated" {
			t.Errorf("after revoke (started first: %v): %+v", from, got)
		}
	}
}

func testRefusedTransitions(t *testing.T, s exam.Store) {
	at := t0.Add(time.Minute)
	registered := mustCreate(t, s, newExam("patient-1", t0))
	started := mustCreate(t, s, newExam("patient-1", t0))
	mustTransition(t, s, start(started, at))
	finished := mustCreate(t, s, newExam("patient-1", t0))
	mustTransition(t, s, start(finished, at))
	mustTransition(t, s, finish(finished, at, "o"))
	revoked := mustCreate(t, s, newExam("patient-1", t0))
	mustTransition(t, s, revoke(revoked, at))

	wrongPatient := start(registered, at)
	wrongPatient.PatientID = "patient-2"
	wrongType := start(registered, at)
	wrongType.ExamType = 4

	tests := []struct {
		name string
		tr   exam.Transition
	}{
		{"start a started exam", start(started, at)},
		{"start a finished exam", start(finished, at)},
		{"start a revoked exam", start(revoked, at)},
		{"finish a registered exam", finish(registered, at, "o")},
		{"finish a finished exam", finish(finished, at, "o")},
		{"finish a revoked exam", finish(revoked, at, "o")},
		{"revoke a finished exam", revoke(finished, at)},
		{"revoke a revoked exam", revoke(revoked, at)},
		{"start another patient's exam", wrongPatient},
		{"start with another exam type", wrongType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := mustGet(t, s, tt.tr.ExamID)
			_, err := s.Transition(context.Background(), tt.tr)
			var conflict *exam.ConflictError
			if !errors.As(err, &conflict) || !errors.Is(err, exam.ErrConflict) {
				t.Fatalf("Transition = %v, want *ConflictError", err)
			}
			if !same(conflict.Current, before) {
				t.Errorf("conflict carries %+v, want the exam as stored %+v", conflict.Current, before)
			}
			if after := mustGet(t, s, tt.tr.ExamID); !same(after, before) {
				t.Errorf("refused transition changed the exam: %+v", after)
			}
		})
	}
	t.Run("transition of a missing exam", func(t *testing.T) {
		missing := newExam("patient-1", t0)
		if _, err := s.Transition(context.Background(), start(missing, at)); !errors.Is(err, exam.ErrExamNotFound) {
			t.Fatalf("Transition = %v, want ErrExamNotFound", err)
		}
	})
}

func testNotification(t *testing.T, s exam.Store) {
	ctx := context.Background()
	at := t0.Add(time.Hour)
	e := mustCreate(t, s, newExam("patient-1", t0))
	if _, err := s.UpdateNotification(ctx, e.ID, "", exam.Notification{Status: exam.NotificationSent}); !errors.Is(err, exam.ErrConflict) {
		t.Fatalf("update on a registered exam = %v, want conflict", err)
	}
	mustTransition(t, s, start(e, at))
	mustTransition(t, s, finish(e, at, "owner-1"))

	steps := []struct {
		name        string
		expectOwner string
		set         exam.Notification
		wantErr     error
	}{
		{"unclaimed expected while owner-1 holds it", "", exam.Notification{Status: exam.NotificationPending, ClaimOwner: "x"}, exam.ErrConflict},
		{"another owner", "owner-2", exam.Notification{Status: exam.NotificationSent}, exam.ErrConflict},
		{"owner-1 releases", "owner-1", exam.Notification{Status: exam.NotificationPending}, nil},
		{"owner-1 no longer holds it", "owner-1", exam.Notification{Status: exam.NotificationSent}, exam.ErrConflict},
		{"owner-3 claims the released one", "", exam.Notification{Status: exam.NotificationPending, ClaimOwner: "owner-3", ClaimUntil: at.Add(time.Minute)}, nil},
		{"owner-3 records the send", "owner-3", exam.Notification{Status: exam.NotificationSent, Channel: exam.ChannelEmail, At: at}, nil},
		{"nothing after the outcome", "", exam.Notification{Status: exam.NotificationPending, ClaimOwner: "owner-4"}, exam.ErrConflict},
	}
	for _, step := range steps {
		got, err := s.UpdateNotification(ctx, e.ID, step.expectOwner, step.set)
		if step.wantErr != nil {
			if !errors.Is(err, step.wantErr) {
				t.Fatalf("%s: err = %v, want %v", step.name, err, step.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		want := mustGet(t, s, e.ID)
		if !same(got, want) || !same(exam.Exam{Notification: got.Notification}, exam.Exam{Notification: step.set}) {
			t.Fatalf("%s: got %+v, stored %+v, want notification %+v", step.name, got.Notification, want.Notification, step.set)
		}
	}
	if _, err := s.UpdateNotification(ctx, uuid.NewString(), "", exam.Notification{}); !errors.Is(err, exam.ErrExamNotFound) && !errors.Is(err, exam.ErrConflict) {
		t.Fatalf("update of a missing exam = %v", err)
	}
}

func testFailedNotification(t *testing.T, s exam.Store) {
	ctx := context.Background()
	at := t0.Add(time.Hour)
	e := mustCreate(t, s, newExam("patient-1", t0))
	failed := exam.Notification{Status: exam.NotificationFailed, Channel: exam.ChannelSMS, Code: "InvalidParameter", At: at}
	claim := exam.Notification{Status: exam.NotificationPending, ClaimOwner: "resend-1", ClaimUntil: at.Add(time.Hour)}
	if _, err := s.ClaimFailedNotification(ctx, e.ID, at, claim); !errors.Is(err, exam.ErrConflict) {
		t.Fatalf("claim on a registered exam = %v, want conflict", err)
	}
	mustTransition(t, s, start(e, at))
	mustTransition(t, s, finish(e, at, "owner-1"))
	if _, err := s.ClaimFailedNotification(ctx, e.ID, at, claim); !errors.Is(err, exam.ErrConflict) {
		t.Fatalf("claim of a pending notification = %v, want conflict", err)
	}
	if _, err := s.UpdateNotification(ctx, e.ID, "owner-1", failed); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, e.ID); !same(exam.Exam{Notification: got.Notification}, exam.Exam{Notification: failed}) {
		t.Fatalf("stored %+v, want %+v", got.Notification, failed)
	}
	// A failure is final for the finish: nothing but a claim of it changes it.
	if _, err := s.UpdateNotification(ctx, e.ID, "", claim); !errors.Is(err, exam.ErrConflict) {
		t.Fatalf("unclaimed update of a failed notification = %v, want conflict", err)
	}
	if _, err := s.ClaimFailedNotification(ctx, e.ID, at.Add(time.Second), claim); !errors.Is(err, exam.ErrConflict) {
		t.Fatalf("claim of another failure = %v, want conflict", err)
	}
	got, err := s.ClaimFailedNotification(ctx, e.ID, at, claim)
	if err != nil {
		t.Fatal(err)
	}
	if want := mustGet(t, s, e.ID); !same(got, want) || !same(exam.Exam{Notification: got.Notification}, exam.Exam{Notification: claim}) {
		t.Fatalf("claimed %+v, stored %+v, want %+v", got.Notification, want.Notification, claim)
	}
	var conflict *exam.ConflictError
	if _, err := s.ClaimFailedNotification(ctx, e.ID, at, claim); !errors.As(err, &conflict) || conflict.Current.Notification.ClaimOwner != "resend-1" {
		t.Fatalf("second claim of the same failure = %v, want a conflict carrying the claim", err)
	}
	// The claim holder records the outcome as a finish does.
	if _, err := s.UpdateNotification(ctx, e.ID, "resend-1", exam.Notification{Status: exam.NotificationSent, Channel: exam.ChannelSMS, At: at}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimFailedNotification(ctx, uuid.NewString(), at, claim); !errors.Is(err, exam.ErrExamNotFound) && !errors.Is(err, exam.ErrConflict) {
		t.Fatalf("claim on a missing exam = %v", err)
	}
}

func testConcurrentStarts(t *testing.T, s exam.Store) {
	const n = 50
	e := mustCreate(t, s, newExam("patient-1", t0))
	var (
		wg              sync.WaitGroup
		mu              sync.Mutex
		wins, conflicts int
		others          []error
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Transition(context.Background(), start(e, t0.Add(time.Duration(i)*time.Millisecond)))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, exam.ErrConflict):
				conflicts++
			default:
				others = append(others, err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || conflicts != n-1 || len(others) > 0 {
		t.Fatalf("%d concurrent starts: %d won, %d conflicts, other errors %v; want 1 winner", n, wins, conflicts, others)
	}
	if h := mustGet(t, s, e.ID).History; len(h) != 1 || h[0].Status != exam.StatusStarted {
		t.Fatalf("after %d concurrent starts the history is %+v, want the winner's entry only", n, h)
	}
}

func testListing(t *testing.T, s exam.Store) {
	const total, pageSize = 250, 20
	created := map[string]time.Time{}
	for i := range total {
		e := newExam("patient-1", t0.Add(time.Duration(i)*time.Second))
		mustCreate(t, s, e)
		created[e.ID] = e.CreatedAt
	}
	for range 3 {
		mustCreate(t, s, newExam("patient-2", t0.Add(time.Hour))) // newer, but another patient's
	}
	seen := map[string]bool{}
	var last time.Time
	pages := 0
	var after *exam.Position
	for {
		page, err := s.ListByPatient(context.Background(), "patient-1", pageSize, after)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		if len(page.Exams) > pageSize || (page.Next != nil && len(page.Exams) != pageSize) {
			t.Fatalf("page %d has %d exams and a next position %v", pages, len(page.Exams), page.Next)
		}
		for _, e := range page.Exams {
			want, ok := created[e.ID]
			switch {
			case !ok:
				t.Fatalf("listed an exam that is not patient-1's: %+v", e)
			case seen[e.ID]:
				t.Fatalf("exam %s listed twice", e.ID)
			case !last.IsZero() && !e.CreatedAt.Before(last):
				t.Fatalf("not newest first: %v after %v", e.CreatedAt, last)
			case !e.CreatedAt.Equal(want):
				t.Fatalf("created_at %v, want %v", e.CreatedAt, want)
			}
			seen[e.ID], last = true, e.CreatedAt
		}
		if page.Next == nil {
			break
		}
		if want := exam.PositionOf(page.Exams[len(page.Exams)-1]); *page.Next != want {
			t.Fatalf("next position %v, want the last exam's %v", *page.Next, want)
		}
		after = page.Next
		if pages > total {
			t.Fatal("listing does not end")
		}
	}
	if len(seen) != total || pages != (total+pageSize-1)/pageSize {
		t.Fatalf("listed %d exams in %d pages, want %d in %d", len(seen), pages, total, (total+pageSize-1)/pageSize)
	}
	empty, err := s.ListByPatient(context.Background(), "patient-without-exams", pageSize, nil)
	if err != nil || len(empty.Exams) != 0 || empty.Next != nil {
		t.Fatalf("empty listing = %+v, %v", empty, err)
	}
}

// testHistory: each transition appends its entry in its own write, to an item
// created with a history and to one stored before history existed; a refused
// transition appends nothing.
func testHistory(t *testing.T, s exam.Store) {
	t1, t2 := t0.Add(time.Minute), t0.Add(time.Hour)
	withHistory := newExam("patient-1", t0)
	withHistory.History = []exam.HistoryEntry{{Status: exam.StatusRegistered, At: t0, By: ana}}
	legacy := newExam("patient-1", t0)
	for _, e := range []exam.Exam{withHistory, legacy} {
		mustCreate(t, s, e)
		mustTransition(t, s, start(e, t1))
		if _, err := s.Transition(context.Background(), start(e, t2)); !errors.Is(err, exam.ErrConflict) {
			t.Fatalf("second start = %v, want a conflict", err)
		}
		got := mustTransition(t, s, finish(e, t2, "owner"))
		want := append(slices.Clone(e.History),
			exam.HistoryEntry{Status: exam.StatusStarted, At: t1, By: ana},
			exam.HistoryEntry{Status: exam.StatusFinished, At: t2, By: process})
		if !sameHistory(got.History, want) {
			t.Errorf("history %+v, want %+v", got.History, want)
		}
	}
	e := mustCreate(t, s, newExam("patient-1", t0))
	got := mustTransition(t, s, revoke(e, t1))
	if want := []exam.HistoryEntry{{Status: exam.StatusRevoked, At: t1, By: bruno}}; !sameHistory(got.History, want) {
		t.Errorf("history %+v, want %+v", got.History, want)
	}
}

// worklist pages through the worklist of status from since, pageSize at a
// time, and returns its exams in order; it fails on a page over its size, a
// next position on a page that is not full or that is not its last exam, and
// an exam listed twice.
func worklist(t *testing.T, s exam.Store, status exam.Status, since time.Time, pageSize int) []exam.Exam {
	t.Helper()
	var all []exam.Exam
	seen := map[string]bool{}
	var after *exam.QueuePosition
	for pages := 1; ; pages++ {
		page, err := s.ListByStatus(context.Background(), status, since, pageSize, after)
		if err != nil {
			t.Fatalf("%s worklist, page %d: %v", status, pages, err)
		}
		if len(page.Exams) > pageSize || (page.Next != nil && len(page.Exams) != pageSize) {
			t.Fatalf("%s worklist, page %d: %d exams and a next position %v", status, pages, len(page.Exams), page.Next)
		}
		for _, e := range page.Exams {
			if seen[e.ID] {
				t.Fatalf("%s worklist: exam %s listed twice", status, e.ID)
			}
			seen[e.ID] = true
			all = append(all, e)
		}
		if page.Next == nil {
			return all
		}
		if want := exam.QueuePositionOf(page.Exams[len(page.Exams)-1]); *page.Next != want {
			t.Fatalf("next position %v, want the last exam's %v", *page.Next, want)
		}
		after = page.Next
		if pages > 1000 {
			t.Fatal("worklist does not end")
		}
	}
}

func ids(exams []exam.Exam) []string {
	out := make([]string, len(exams))
	for i, e := range exams {
		out[i] = e.ID
	}
	return out
}

// byQueue orders exams as a worklist does: by the time they entered their
// status, then by id.
func byQueue(exams []exam.Exam) []exam.Exam {
	return slices.SortedFunc(slices.Values(exams), func(a, b exam.Exam) int {
		if c := exam.EnteredAt(a).Compare(exam.EnteredAt(b)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// testWorklistQueue: oldest first across patients, ties in id order, from the
// bound on (an exam at the bound's very instant is in, one a nanosecond
// before is not), other statuses apart, every exam once across pages.
func testWorklistQueue(t *testing.T, s exam.Store) {
	since := t0.Add(time.Hour)
	mustCreate(t, s, newExam("patient-1", since.Add(-time.Nanosecond)))
	var want []exam.Exam
	for i := range 45 {
		// Created out of order, three at each instant.
		e := newExam(fmt.Sprintf("patient-%d", i%4), since.Add(time.Duration(i*7%15)*time.Minute))
		want = append(want, mustCreate(t, s, e))
	}
	startedInWindow := mustCreate(t, s, newExam("patient-1", since.Add(time.Minute)))
	mustTransition(t, s, start(startedInWindow, since.Add(2*time.Minute)))
	want = byQueue(want)
	for _, size := range []int{1, 7, 45, 100} {
		if got := worklist(t, s, exam.StatusRegistered, since, size); !slices.Equal(ids(got), ids(want)) {
			t.Fatalf("Registered worklist by pages of %d:\n got %v\nwant %v", size, ids(got), ids(want))
		}
	}
	if got := worklist(t, s, exam.StatusRegistered, since.Add(14*time.Minute), 10); !slices.Equal(ids(got), ids(want[42:])) {
		t.Fatalf("from the last instant: %v, want %v", ids(got), ids(want[42:]))
	}
	if got := worklist(t, s, exam.StatusRegistered, since.Add(time.Hour), 10); len(got) != 0 {
		t.Fatalf("from after every exam: %v", ids(got))
	}
	if got := worklist(t, s, exam.StatusFinished, t0, 10); len(got) != 0 {
		t.Fatalf("Finished worklist without finished exams: %v", ids(got))
	}
}

// testWorklistMoves: each transition takes the exam out of its status's
// worklist and into the next one's, queued at the transition's time; an
// exam registered before the bound enters a later status's worklist within it.
func testWorklistMoves(t *testing.T, s exam.Store) {
	since := t0.Add(time.Hour)
	early := mustCreate(t, s, newExam("patient-1", t0))
	a := mustCreate(t, s, newExam("patient-1", since))
	b := mustCreate(t, s, newExam("patient-2", since.Add(time.Second)))
	in := func(status exam.Status, want ...exam.Exam) {
		t.Helper()
		if got := worklist(t, s, status, since, 2); !slices.Equal(ids(got), ids(want)) {
			t.Fatalf("%s worklist: %v, want %v", status, ids(got), ids(want))
		}
	}
	in(exam.StatusRegistered, a, b)
	mustTransition(t, s, start(b, since.Add(time.Minute)))
	mustTransition(t, s, start(early, since.Add(2*time.Minute)))
	mustTransition(t, s, start(a, since.Add(3*time.Minute)))
	in(exam.StatusRegistered)
	in(exam.StatusStarted, b, early, a)
	mustTransition(t, s, finish(early, since.Add(4*time.Minute), "owner"))
	mustTransition(t, s, revoke(b, since.Add(5*time.Minute)))
	in(exam.StatusStarted, a)
	in(exam.StatusFinished, early)
	in(exam.StatusRevoked, b)
	// A refused transition moves nothing.
	if _, err := s.Transition(context.Background(), revoke(early, since.Add(6*time.Minute))); !errors.Is(err, exam.ErrConflict) {
		t.Fatalf("revoke of a finished exam = %v, want a conflict", err)
	}
	in(exam.StatusFinished, early)
	in(exam.StatusRevoked, b)
	// Updating the notification is no transition: the queue keeps its order.
	if _, err := s.UpdateNotification(context.Background(), early.ID, "owner", exam.Notification{Status: exam.NotificationSent, Channel: exam.ChannelSMS, At: since.Add(7 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if got := worklist(t, s, exam.StatusFinished, since.Add(4*time.Minute), 2); !slices.Equal(ids(got), []string{early.ID}) {
		t.Fatalf("after its notification, the finished exam is queued at %v", got)
	}
}

// testWorklistItems: an item is the exam as Get reads it, with the patient's
// name, but without the document, revoke reason and result reference, which
// no worklist shows.
func testWorklistItems(t *testing.T, s exam.Store) {
	e := newExam("patient-1", t0)
	e.PatientName = "Conceição Aparecida d'Ávila <b>Souza</b>"
	e.History = []exam.HistoryEntry{{Status: exam.StatusRegistered, At: t0, By: ana}}
	mustCreate(t, s, e)
	mustTransition(t, s, start(e, t0.Add(time.Minute)))
	mustTransition(t, s, finish(e, t0.Add(time.Hour), "owner"))
	unnamed := mustCreate(t, s, newExam("patient-2", t0))
	mustTransition(t, s, revoke(unnamed, t0.Add(time.Hour)))
	for _, status := range []exam.Status{exam.StatusFinished, exam.StatusRevoked} {
		got := worklist(t, s, status, t0, 10)
		if len(got) != 1 {
			t.Fatalf("%s worklist: %v", status, ids(got))
		}
		want := mustGet(t, s, got[0].ID)
		if want.PatientDocument == "" || (status == exam.StatusFinished && want.ResultRef == "") || (status == exam.StatusRevoked && want.RevokeReason == "") {
			t.Fatalf("the stored exam lacks what the test needs: %+v", want)
		}
		want.PatientDocument, want.RevokeReason, want.ResultRef = "", "", ""
		if !same(got[0], want) {
			t.Errorf("%s worklist item:\n got %+v\nwant %+v", status, got[0], want)
		}
	}
}
