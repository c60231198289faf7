package httpapi

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/cursor"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// worklistPage calls the worklist with query and returns its exams' ids, the
// items and the next cursor.
func (h *harness) worklistPage(query map[string]string) ([]string, []map[string]any, string) {
	h.t.Helper()
	r := h.call(h.worklist, getAt(ExamWorklist.Route, query))
	r.expect(h.t, 200, "")
	var ids []string
	var items []map[string]any
	for _, x := range r.body["exams"].([]any) {
		item := x.(map[string]any)
		ids = append(ids, item["exam_id"].(string))
		items = append(items, item)
	}
	next, _ := r.body["next_cursor"].(string)
	return ids, items, next
}

// worklistAll pages through the worklist of query, limit at a time.
func (h *harness) worklistAll(query map[string]string, limit int) []string {
	h.t.Helper()
	var all []string
	q := map[string]string{"limit": fmt.Sprint(limit)}
	for k, v := range query {
		q[k] = v
	}
	for range 100 {
		ids, _, next := h.worklistPage(q)
		all = append(all, ids...)
		if next == "" {
			return all
		}
		q["cursor"] = next
	}
	h.t.Fatal("the worklist does not end")
	return nil
}

// TestWorklistIsAQueue: across patients, oldest transition first, each exam
// in the worklist of the status it is in, named after its patient.
func TestWorklistIsAQueue(t *testing.T) {
	h := newHarness(t)
	patients := []exam.Patient{fakes.ActiveSMS, fakes.ActiveEmail, fakes.ActiveNone, fakes.ActiveEmail, fakes.ActiveSMS}
	var ids []string
	for i, p := range patients {
		ids = append(ids, h.registered(p, 1+i))
		h.clock.Advance(7 * time.Hour)
	}
	// The fourth is started before the first: it is ahead in the Started queue.
	for _, i := range []int{3, 0} {
		r := h.call(h.start, post(StartExam.Route, js(map[string]any{"document": patients[i].Document, "exam_id": ids[i], "exam_type": 1 + i})))
		r.expect(t, 200, "")
		h.clock.Advance(time.Minute)
	}
	wantRegistered := []string{ids[1], ids[2], ids[4]}
	for _, limit := range []int{1, 2, 20} {
		if got := h.worklistAll(map[string]string{"status": "Registered"}, limit); !slices.Equal(got, wantRegistered) {
			t.Fatalf("Registered by pages of %d: %v, want %v", limit, got, wantRegistered)
		}
	}
	got, items, next := h.worklistPage(map[string]string{"status": "Started"})
	if want := []string{ids[3], ids[0]}; !slices.Equal(got, want) || next != "" {
		t.Fatalf("Started: %v (next %q), want %v", got, next, want)
	}
	for i, item := range items {
		p := patients[[]int{3, 0}[i]]
		patient, _ := item["patient"].(map[string]any)
		if item["status"] != "Started" || patient["id"] != p.ID || patient["name"] != p.Name || item["patient_id"] != p.ID {
			t.Errorf("item %d: %v, want a started exam of %s named %q", i, item, p.ID, p.Name)
		}
		if _, ok := item["history"].([]any); !ok || item["exam_name"] == "" {
			t.Errorf("item %d is not rendered as an exam: %v", i, item)
		}
	}
	for _, status := range []string{"Finished", "Revoked"} {
		if got, _, _ := h.worklistPage(map[string]string{"status": status}); len(got) != 0 {
			t.Errorf("%s: %v, want none", status, got)
		}
	}
}

// TestWorklistSince: the default reaches six days back from today in São
// Paulo; since counts São Paulo's days, not UTC's.
func TestWorklistSince(t *testing.T) {
	h := newHarness(t)
	// epoch is 2026-06-01 09:00 UTC, 06:00 in São Paulo.
	h.clock.Advance(-8 * time.Hour) // 2026-06-01 01:00 UTC: 2026-05-31 22:00 in São Paulo
	lastMay := h.registered(fakes.ActiveSMS, 1)
	h.clock.Advance(8 * time.Hour)
	june := h.registered(fakes.ActiveSMS, 2)

	tests := []struct {
		since string
		want  []string
	}{
		{"2026-05-31", []string{lastMay, june}},
		{"2026-06-01", []string{june}},
	}
	for _, tt := range tests {
		if got := h.worklistAll(map[string]string{"status": "Registered", "since": tt.since}, 20); !slices.Equal(got, tt.want) {
			t.Errorf("since %s: %v, want %v", tt.since, got, tt.want)
		}
	}
	// 2026-06-06 17:00 UTC: the default is 2026-05-31, which holds both.
	h.clock.Advance(5*24*time.Hour + 8*time.Hour)
	if got := h.worklistAll(map[string]string{"status": "Registered"}, 20); !slices.Equal(got, []string{lastMay, june}) {
		t.Fatalf("by default on 2026-06-06: %v", got)
	}
	// 2026-06-07 02:00 UTC is still 2026-06-06 in São Paulo: the same default,
	// and 2026-06-07 is a day to come there.
	h.clock.Advance(9 * time.Hour)
	if got := h.worklistAll(map[string]string{"status": "Registered"}, 20); !slices.Equal(got, []string{lastMay, june}) {
		t.Fatalf("by default at 23:00 in São Paulo on 2026-06-06: %v", got)
	}
	h.call(h.worklist, getAt(ExamWorklist.Route, map[string]string{"status": "Registered", "since": "2026-06-07"})).expect(t, 400, "INVALID_REQUEST")
	// 2026-06-07 in São Paulo: the default is 2026-06-01.
	h.clock.Advance(3 * time.Hour)
	if got := h.worklistAll(map[string]string{"status": "Registered"}, 20); !slices.Equal(got, []string{june}) {
		t.Fatalf("by default on 2026-06-07: %v", got)
	}
	h.call(h.worklist, getAt(ExamWorklist.Route, map[string]string{"status": "Registered", "since": "2026-06-07"})).expect(t, 200, "")
}

func TestWorklistRefusals(t *testing.T) {
	h := newHarness(t)
	for range 3 {
		h.registered(fakes.ActiveSMS, 1)
	}
	first := func(q map[string]string) string {
		t.Helper()
		_, _, next := h.worklistPage(q)
		if next == "" {
			t.Fatalf("no next page for %v", q)
		}
		return next
	}
	defaultCursor := first(map[string]string{"status": "Registered", "limit": "1"})
	sinceCursor := first(map[string]string{"status": "Registered", "since": "2026-05-30", "limit": "1"})
	listingCursor := h.call(h.list, get(map[string]string{"document": fakes.ActiveSMS.Document, "limit": "1"})).body["next_cursor"].(string)

	registered := func(q map[string]string) map[string]string {
		q["status"] = "Registered"
		return q
	}
	tests := []struct {
		name   string
		query  map[string]string
		setup  func(h *harness)
		status int
		count  int
	}{
		{"next page", registered(map[string]string{"limit": "1", "cursor": defaultCursor}), nil, 200, 1},
		{"next page of a day, the day given again", registered(map[string]string{"since": "2026-05-30", "limit": "2", "cursor": sinceCursor}), nil, 200, 2},
		{"next page of a day, the day left out", registered(map[string]string{"limit": "2", "cursor": sinceCursor}), nil, 200, 2},
		{"limit 100", registered(map[string]string{"limit": "100"}), nil, 200, 3},
		{"no status", map[string]string{}, nil, 400, 0},
		{"status in lower case", map[string]string{"status": "registered"}, nil, 400, 0},
		{"unknown status", map[string]string{"status": "Pending"}, nil, 400, 0},
		{"empty status", map[string]string{"status": ""}, nil, 400, 0},
		{"since without zero padding", registered(map[string]string{"since": "2026-6-1"}), nil, 400, 0},
		{"since a day that does not exist", registered(map[string]string{"since": "2026-02-30"}), nil, 400, 0},
		{"since written day first", registered(map[string]string{"since": "01/06/2026"}), nil, 400, 0},
		{"since a time", registered(map[string]string{"since": "2026-06-01T00:00:00Z"}), nil, 400, 0},
		{"since with a space", registered(map[string]string{"since": " 2026-06-01"}), nil, 400, 0},
		{"since tomorrow", registered(map[string]string{"since": "2026-06-02"}), nil, 400, 0},
		{"limit 0", registered(map[string]string{"limit": "0"}), nil, 400, 0},
		{"limit 101", registered(map[string]string{"limit": "101"}), nil, 400, 0},
		{"limit not a number", registered(map[string]string{"limit": "ten"}), nil, 400, 0},
		{"tampered cursor", registered(map[string]string{"cursor": defaultCursor[:len(defaultCursor)-2] + "AA"}), nil, 400, 0},
		{"cursor's last character re-spelled", registered(map[string]string{"cursor": defaultCursor[:len(defaultCursor)-1] + respell(defaultCursor[len(defaultCursor)-1])}), nil, 400, 0},
		{"cursor of another status", map[string]string{"status": "Started", "cursor": defaultCursor}, nil, 400, 0},
		{"cursor of another day", registered(map[string]string{"since": "2026-05-31", "cursor": sinceCursor}), nil, 400, 0},
		{"cursor of the default day, a day given", registered(map[string]string{"since": "2026-05-30", "cursor": defaultCursor}), nil, 400, 0},
		{"a listing's cursor", registered(map[string]string{"cursor": listingCursor}), nil, 400, 0},
		{"store down", registered(map[string]string{}),
			func(h *harness) { h.store.FailWith(fmt.Errorf("%w: throttled", exam.ErrDependency)) }, 503, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup(h)
				defer h.store.FailWith(nil)
			}
			r := h.call(h.worklist, getAt(ExamWorklist.Route, tt.query))
			code := map[int]string{200: "", 400: "INVALID_REQUEST", 503: "DEPENDENCY_UNAVAILABLE"}[tt.status]
			r.expect(t, tt.status, code)
			if tt.status == 200 {
				if n := len(r.body["exams"].([]any)); n != tt.count {
					t.Fatalf("%d exams, want %d: %s", n, tt.count, r.raw)
				}
			}
		})
	}
	t.Run("a worklist's cursor on the listing", func(t *testing.T) {
		h.call(h.list, get(map[string]string{"document": fakes.ActiveSMS.Document, "cursor": defaultCursor})).expect(t, 400, "INVALID_REQUEST")
	})
}

// TestWorklistNamesOnlyInItsItems: the name the patient manager gave at
// registration reaches the worklist's items, as text, and nothing else: no
// exam elsewhere, no log line; nor do the CPF, phone or e-mail. Each call
// writes its audit line.
func TestWorklistNamesOnlyInItsItems(t *testing.T) {
	buf := logtest.Capture(t)
	h := newHarness(t)
	planted := exam.Patient{ID: "patient-planted", Document: "71460238001", Name: `Zuleica <b>Quintanilha</b> "Açaí"`,
		Status: exam.PatientActive, Cellphone: "+5521998877665", CellphoneVerified: true,
		Email: "zuleica.quintanilha@example.org", EmailVerified: true}
	h.patients.Put(planted)
	id := h.registered(planted, 2)
	r := h.call(h.register, post(RegisterExam.Route, js(map[string]any{"document": planted.Document, "exam_type": 3})))
	r.expect(t, 201, "")
	for _, raw := range []string{r.raw, h.call(h.list, get(map[string]string{"document": planted.Document})).raw} {
		if strings.Contains(raw, "Zuleica") || strings.Contains(raw, `"patient"`) {
			t.Fatalf("an exam outside the worklist names its patient: %s", raw)
		}
	}
	_, items, _ := h.worklistPage(map[string]string{"status": "Registered", "since": "2026-06-01"})
	if len(items) != 2 || items[0]["exam_id"] != id || items[0]["patient"].(map[string]any)["name"] != planted.Name {
		t.Fatalf("worklist items %v, want two exams of %q, the first %s", items, planted.Name, id)
	}
	h.call(h.worklist, getAt(ExamWorklist.Route, map[string]string{"status": "Registered", "since": planted.Name})).expect(t, 400, "INVALID_REQUEST")
	h.call(h.worklist, getAt(ExamWorklist.Route, map[string]string{"status": planted.Document})).expect(t, 400, "INVALID_REQUEST")
	h.call(h.worklist, getAt(ExamWorklist.Route, map[string]string{"status": "Started", "cursor": planted.Email})).expect(t, 400, "INVALID_REQUEST")

	text := buf.String()
	var outcomes []string
	for _, a := range logtest.AuditLines(t, text) {
		if a.Action == string(ExamWorklist.Action) {
			outcomes = append(outcomes, a.Outcome)
			if a.Actor["id"] != fakes.Attendant.ID || a.PatientID != "" || a.ExamID != "" {
				t.Errorf("worklist audit line: %s", a.Raw)
			}
		}
	}
	if want := []string{"ok", "INVALID_REQUEST", "INVALID_REQUEST", "INVALID_REQUEST"}; !slices.Equal(outcomes, want) {
		t.Errorf("worklist audit outcomes %v, want %v", outcomes, want)
	}
	forbidden := []string{planted.Name, "Zuleica", "Quintanilha", planted.Document, "714.602.380-01", planted.Cellphone,
		strings.TrimPrefix(planted.Cellphone, "+55"), planted.Email, "2026-06-01"}
	if n := logtest.CheckLines(t, buf, forbidden); n < 8 {
		t.Fatalf("%d log lines: the test saw too little to prove anything", n)
	}
}

// countingStore counts the calls made to an exam store.
type countingStore struct {
	exam.Store
	calls []string
}

func (s *countingStore) Create(ctx context.Context, e exam.Exam) error {
	s.calls = append(s.calls, "Create")
	return s.Store.Create(ctx, e)
}

func (s *countingStore) Get(ctx context.Context, id string) (exam.Exam, error) {
	s.calls = append(s.calls, "Get")
	return s.Store.Get(ctx, id)
}

func (s *countingStore) ListByPatient(ctx context.Context, p string, limit int, after *exam.Position) (exam.Page, error) {
	s.calls = append(s.calls, "ListByPatient")
	return s.Store.ListByPatient(ctx, p, limit, after)
}

func (s *countingStore) ListByStatus(ctx context.Context, st exam.Status, since time.Time, limit int, after *exam.QueuePosition) (exam.QueuePage, error) {
	s.calls = append(s.calls, "ListByStatus")
	return s.Store.ListByStatus(ctx, st, since, limit, after)
}

func (s *countingStore) Transition(ctx context.Context, tr exam.Transition) (exam.Exam, error) {
	s.calls = append(s.calls, "Transition")
	return s.Store.Transition(ctx, tr)
}

func (s *countingStore) UpdateNotification(ctx context.Context, id, owner string, n exam.Notification) (exam.Exam, error) {
	s.calls = append(s.calls, "UpdateNotification")
	return s.Store.UpdateNotification(ctx, id, owner, n)
}

func (s *countingStore) ClaimFailedNotification(ctx context.Context, id string, failedAt time.Time, claim exam.Notification) (exam.Exam, error) {
	s.calls = append(s.calls, "ClaimFailedNotification")
	return s.Store.ClaimFailedNotification(ctx, id, failedAt, claim)
}

// countingPatients counts the patient manager's lookups.
type countingPatients struct {
	exam.PatientFinder
	lookups int
}

func (p *countingPatients) FindByDocument(ctx context.Context, document string) (exam.Patient, error) {
	p.lookups++
	return p.PatientFinder.FindByDocument(ctx, document)
}

// TestWorklistPageIsOneStoreCall: every page, first or next, full or not, is
// one ListByStatus and nothing else, and no patient lookup.
func TestWorklistPageIsOneStoreCall(t *testing.T) {
	h := newHarness(t)
	for range 5 {
		h.registered(fakes.ActiveSMS, 1)
	}
	store := &countingStore{Store: h.store}
	patients := &countingPatients{PatientFinder: h.patients}
	handler := ExamWorklist.Handler(Ports{Audit: auditWriter, Patients: patients, Exams: store,
		WorklistCursors: cursor.ForWorklist(examKey), Now: h.clock.Now})
	q := map[string]string{"status": "Registered", "limit": "2"}
	for page := 1; ; page++ {
		store.calls = nil
		r := h.call(handler, getAt(ExamWorklist.Route, q))
		r.expect(t, 200, "")
		if !slices.Equal(store.calls, []string{"ListByStatus"}) || patients.lookups != 0 {
			t.Fatalf("page %d: store calls %v and %d lookups, want one ListByStatus and none", page, store.calls, patients.lookups)
		}
		next, ok := r.body["next_cursor"].(string)
		if !ok {
			if page != 3 {
				t.Fatalf("%d pages of 2 for 5 exams", page)
			}
			return
		}
		q["cursor"] = next
	}
}
