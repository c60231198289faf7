package exam_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/cursor"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/telemetry"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/memstore"
)

// domain is the use cases on the in-memory store, fake patients, a fixed clock,
// a recording token issuer and real signed cursors.
type domain struct {
	store    *fakes.FaultyStore
	patients *fakes.Patients
	clock    *fakes.Clock
	issueMu  sync.Mutex // concurrent starts issue tokens at once
	issued   []exam.ExamClaims
	issueErr error // refuses exam tokens
	labelErr error // refuses label codes
	cursors  exam.Cursors
}

func newDomain() *domain {
	return &domain{
		store:    fakes.NewFaultyStore(memstore.New()),
		patients: fakes.AllPatients(),
		clock:    fakes.NewClock(time.Date(2026, 5, 4, 10, 0, 0, 0, time.FixedZone("BRT", -3*3600))),
		cursors:  cursor.ForListing(cursor.New([]byte("domain-test-cursor-key-0123456789abcdef"))),
	}
}

func (d *domain) IssueExamToken(c exam.ExamClaims) (string, error) {
	d.issueMu.Lock()
	defer d.issueMu.Unlock()
	if d.issueErr != nil {
		return "", d.issueErr
	}
	d.issued = append(d.issued, c)
	return "token-of-" + c.ExamID, nil
}

func (d *domain) IssueLabelCode(c exam.ExamClaims) (string, error) {
	if d.labelErr != nil {
		return "", d.labelErr
	}
	return "label-of-" + c.ExamID, nil
}

func (d *domain) register() exam.Register {
	return exam.Register{Patients: d.patients, Exams: d.store, Now: d.clock.Now, NewID: fakes.NewID, Observer: telemetry.Observer{}}
}
func (d *domain) start() exam.Start {
	return exam.Start{Patients: d.patients, Exams: d.store, Tokens: d, Now: d.clock.Now, Observer: telemetry.Observer{}}
}
func (d *domain) revoke() exam.Revoke {
	return exam.Revoke{Patients: d.patients, Exams: d.store, Now: d.clock.Now, Observer: telemetry.Observer{}}
}
func (d *domain) list() exam.List {
	return exam.List{Patients: d.patients, Exams: d.store, Cursors: d.cursors}
}

// registered registers an exam of type 1 for p; started also starts it.
func (d *domain) registered(t *testing.T, p exam.Patient) exam.Exam {
	t.Helper()
	r, err := d.register().Run(context.Background(), attendant, exam.RegisterRequest{Document: p.Document, Type: 1})
	if err != nil {
		t.Fatal(err)
	}
	return r.Exam
}

func (d *domain) started(t *testing.T, p exam.Patient) exam.Exam {
	t.Helper()
	e, _, err := d.start().Run(context.Background(), attendant, p.Document, d.registered(t, p).ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (d *domain) stored(t *testing.T, id string) exam.Exam {
	t.Helper()
	e, err := d.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

var errDown = errors.New("connection reset by peer")

// nextNow is the time the clock gives its next reader, in UTC as the use cases keep it.
func (d *domain) nextNow() time.Time { return d.clock.Now().Add(time.Microsecond).UTC() }

// lookupsFail makes any patient lookup fail: a case that still gets its own
// error shows the use case refused it before calling the patient manager.
func lookupsFail(d *domain) { d.patients.FailWith(errDown) }

func TestRegister(t *testing.T) {
	for _, tc := range []struct {
		name     string
		arrange  func(d *domain)
		document string
		examType exam.Type
		want     error
	}{
		{"active patient", nil, fakes.ActiveSMS.Document, 1, nil},
		{"CPF with punctuation", nil, "529.982.247-25", 10, nil},
		{"invalid CPF, no lookup", lookupsFail, "52998224700", 1, exam.ErrInvalidDocument},
		{"type outside the catalog, no lookup", lookupsFail, fakes.ActiveSMS.Document, 11, exam.ErrUnknownExamType},
		{"type zero", nil, fakes.ActiveSMS.Document, 0, exam.ErrUnknownExamType},
		{"patient unknown", nil, "12345678909", 1, exam.ErrPatientNotFound},
		{"patient pending", nil, fakes.Pending.Document, 1, exam.ErrPatientNotActive},
		{"patient inactive", nil, fakes.Inactive.Document, 1, exam.ErrPatientNotActive},
		{"patient manager down", lookupsFail, fakes.ActiveSMS.Document, 1, exam.ErrDependency},
		{"store down", func(d *domain) { d.store.FailWith(errDown) }, fakes.ActiveSMS.Document, 1, errDown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDomain()
			if tc.arrange != nil {
				tc.arrange(d)
			}
			now := d.nextNow()
			r, err := d.register().Run(context.Background(), attendant, exam.RegisterRequest{Document: tc.document, Type: tc.examType})
			e := r.Exam
			if !errors.Is(err, tc.want) || (tc.want != nil && err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.want != nil {
				return
			}
			want := exam.Exam{ID: e.ID, PatientID: fakes.ActiveSMS.ID, PatientDocument: fakes.ActiveSMS.Document, PatientName: fakes.ActiveSMS.Name,
				Type: tc.examType, Status: exam.StatusRegistered, CreatedAt: now, UpdatedAt: now,
				History: []exam.HistoryEntry{{Status: exam.StatusRegistered, At: now, By: attendant}}}
			if _, err := uuid.Parse(e.ID); err != nil || !reflect.DeepEqual(e, want) {
				t.Fatalf("registered %+v, want %+v", e, want)
			}
			if got := d.stored(t, e.ID); !reflect.DeepEqual(got, want) {
				t.Fatalf("stored %+v, want %+v", got, want)
			}
		})
	}
}

func TestStart(t *testing.T) {
	for _, tc := range []struct {
		name string
		// arrange returns the request: the patient's document, the exam id and type.
		arrange func(t *testing.T, d *domain) (string, string, exam.Type)
		want    error
	}{
		{"registered exam", func(t *testing.T, d *domain) (string, string, exam.Type) {
			return fakes.ActiveSMS.Document, d.registered(t, fakes.ActiveSMS).ID, 1
		}, nil},
		{"invalid CPF", func(t *testing.T, d *domain) (string, string, exam.Type) {
			return "000", d.registered(t, fakes.ActiveSMS).ID, 1
		}, exam.ErrInvalidDocument},
		{"exam id not a UUID, no lookup", func(t *testing.T, d *domain) (string, string, exam.Type) {
			lookupsFail(d)
			return fakes.ActiveSMS.Document, "exam-1", 1
		}, exam.ErrInvalidRequest},
		{"type outside the catalog", func(t *testing.T, d *domain) (string, string, exam.Type) {
			return fakes.ActiveSMS.Document, d.registered(t, fakes.ActiveSMS).ID, 99
		}, exam.ErrUnknownExamType},
		{"no such exam", func(t *testing.T, d *domain) (string, string, exam.Type) {
			return fakes.ActiveSMS.Document, uuid.NewString(), 1
		}, exam.ErrExamNotFound},
		{"another patient's exam looks missing", func(t *testing.T, d *domain) (string, string, exam.Type) {
			return fakes.ActiveEmail.Document, d.registered(t, fakes.ActiveSMS).ID, 1
		}, exam.ErrExamNotFound},
		{"another type", func(t *testing.T, d *domain) (string, string, exam.Type) {
			return fakes.ActiveSMS.Document, d.registered(t, fakes.ActiveSMS).ID, 2
		}, exam.ErrExamTypeMismatch},
		{"revoked exam", func(t *testing.T, d *domain) (string, string, exam.Type) {
			id := d.registered(t, fakes.ActiveSMS).ID
			if _, err := d.revoke().Run(context.Background(), attendant, fakes.ActiveSMS.Document, id, "wrong exam"); err != nil {
				t.Fatal(err)
			}
			return fakes.ActiveSMS.Document, id, 1
		}, exam.ErrInvalidTransition},
		{"started exam of another type", func(t *testing.T, d *domain) (string, string, exam.Type) {
			return fakes.ActiveSMS.Document, d.started(t, fakes.ActiveSMS).ID, 2
		}, exam.ErrExamTypeMismatch},
		{"started exam of another patient looks missing", func(t *testing.T, d *domain) (string, string, exam.Type) {
			return fakes.ActiveEmail.Document, d.started(t, fakes.ActiveSMS).ID, 1
		}, exam.ErrExamNotFound},
		{"patient no longer active", func(t *testing.T, d *domain) (string, string, exam.Type) {
			id := d.registered(t, fakes.ActiveSMS).ID
			p := fakes.ActiveSMS
			p.Status = exam.PatientInactive
			d.patients.Put(p)
			return p.Document, id, 1
		}, exam.ErrPatientNotActive},
		{"token not issued: nothing started", func(t *testing.T, d *domain) (string, string, exam.Type) {
			id := d.registered(t, fakes.ActiveSMS).ID
			d.issueErr = errDown
			return fakes.ActiveSMS.Document, id, 1
		}, errDown},
		{"label code not issued: nothing started", func(t *testing.T, d *domain) (string, string, exam.Type) {
			id := d.registered(t, fakes.ActiveSMS).ID
			d.labelErr = errDown
			return fakes.ActiveSMS.Document, id, 1
		}, errDown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDomain()
			document, id, examType := tc.arrange(t, d)
			d.issued = nil
			d.clock.Advance(time.Hour)
			now := d.nextNow()
			e, issued, err := d.start().Run(context.Background(), attendant, document, id, examType)
			if !errors.Is(err, tc.want) || (tc.want != nil && err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.want != nil {
				if issued != (exam.Issued{}) || !reflect.DeepEqual(e, exam.Exam{}) {
					t.Fatalf("refused start returned %+v, %+v", e, issued)
				}
				if got, err := d.store.Get(context.Background(), id); err == nil && got.StartedAt.Equal(now) {
					t.Fatalf("refused start was stored: %+v", got)
				}
				return
			}
			claims := exam.ExamClaims{ExamID: id, PatientID: fakes.ActiveSMS.ID, ExamType: examType}
			if want := (exam.Issued{ExamToken: "token-of-" + id, LabelCode: "label-of-" + id}); issued != want || len(d.issued) != 1 || d.issued[0] != claims {
				t.Fatalf("issued %+v from claims %+v, want %+v from %+v", issued, d.issued, want, claims)
			}
			if e.Status != exam.StatusStarted || e.StartedAt != now || e.UpdatedAt != now || !reflect.DeepEqual(d.stored(t, id), e) {
				t.Fatalf("started %+v, stored %+v", e, d.stored(t, id))
			}
			if last := e.History[len(e.History)-1]; last != (exam.HistoryEntry{Status: exam.StatusStarted, At: now, By: attendant}) {
				t.Fatalf("history ends with %+v, want the start by %+v", last, attendant)
			}
		})
	}
}

func TestRevoke(t *testing.T) {
	for _, tc := range []struct {
		name    string
		arrange func(t *testing.T, d *domain) (document, id string)
		reason  string
		want    error
	}{
		{"registered exam", func(t *testing.T, d *domain) (string, string) {
			return fakes.ActiveSMS.Document, d.registered(t, fakes.ActiveSMS).ID
		}, "duplicated", nil},
		{"started exam, reason of 500 characters", func(t *testing.T, d *domain) (string, string) {
			return fakes.ActiveSMS.Document, d.started(t, fakes.ActiveSMS).ID
		}, strings.Repeat("é", exam.MaxRevokeReason), nil},
		{"patient since made inactive", func(t *testing.T, d *domain) (string, string) {
			id := d.registered(t, fakes.ActiveSMS).ID
			p := fakes.ActiveSMS
			p.Status = exam.PatientInactive
			d.patients.Put(p)
			return p.Document, id
		}, "patient left", nil},
		{"no reason, no lookup", func(t *testing.T, d *domain) (string, string) {
			id := d.registered(t, fakes.ActiveSMS).ID
			lookupsFail(d)
			return fakes.ActiveSMS.Document, id
		}, "", exam.ErrInvalidRequest},
		{"reason of 501 characters", func(t *testing.T, d *domain) (string, string) {
			return fakes.ActiveSMS.Document, d.registered(t, fakes.ActiveSMS).ID
		}, strings.Repeat("a", exam.MaxRevokeReason+1), exam.ErrInvalidRequest},
		{"exam id not a UUID", func(t *testing.T, d *domain) (string, string) {
			return fakes.ActiveSMS.Document, "not-a-uuid"
		}, "x", exam.ErrInvalidRequest},
		{"invalid CPF", func(t *testing.T, d *domain) (string, string) {
			return "111.111.111-11", d.registered(t, fakes.ActiveSMS).ID
		}, "x", exam.ErrInvalidDocument},
		{"patient unknown", func(t *testing.T, d *domain) (string, string) {
			return "12345678909", d.registered(t, fakes.ActiveSMS).ID
		}, "x", exam.ErrPatientNotFound},
		{"another patient's exam looks missing", func(t *testing.T, d *domain) (string, string) {
			return fakes.ActiveEmail.Document, d.registered(t, fakes.ActiveSMS).ID
		}, "x", exam.ErrExamNotFound},
		{"already revoked", func(t *testing.T, d *domain) (string, string) {
			id := d.registered(t, fakes.ActiveSMS).ID
			if _, err := d.revoke().Run(context.Background(), attendant, fakes.ActiveSMS.Document, id, "first"); err != nil {
				t.Fatal(err)
			}
			return fakes.ActiveSMS.Document, id
		}, "second", exam.ErrInvalidTransition},
		{"store down", func(t *testing.T, d *domain) (string, string) {
			id := d.registered(t, fakes.ActiveSMS).ID
			d.store.FailWith(errDown)
			return fakes.ActiveSMS.Document, id
		}, "x", errDown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDomain()
			document, id := tc.arrange(t, d)
			d.clock.Advance(time.Minute)
			now := d.nextNow()
			e, err := d.revoke().Run(context.Background(), attendant, document, id, tc.reason)
			if !errors.Is(err, tc.want) || (tc.want != nil && err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.want != nil {
				return
			}
			if e.Status != exam.StatusRevoked || e.RevokeReason != tc.reason || e.RevokedAt != now || !reflect.DeepEqual(d.stored(t, id), e) {
				t.Fatalf("revoked %+v, stored %+v", e, d.stored(t, id))
			}
			if last := e.History[len(e.History)-1]; last != (exam.HistoryEntry{Status: exam.StatusRevoked, At: now, By: attendant}) {
				t.Fatalf("history ends with %+v, want the revocation by %+v", last, attendant)
			}
		})
	}
}

func TestListPagesNewestFirst(t *testing.T) {
	d := newDomain()
	var ids []string
	for range 5 {
		ids = append([]string{d.registered(t, fakes.ActiveSMS).ID}, ids...) // newest first
		d.clock.Advance(time.Second)
	}
	d.registered(t, fakes.ActiveEmail) // another patient's, never listed
	var got []string
	cursor, pages := "", 0
	for {
		page, err := d.list().Run(context.Background(), "529.982.247-25", 2, cursor)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		for _, e := range page.Exams {
			got = append(got, e.ID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Fatalf("%d pages listing %v, want 3 listing %v", pages, got, ids)
	}
}

func TestListRefusals(t *testing.T) {
	d := newDomain()
	d.registered(t, fakes.ActiveSMS)
	d.registered(t, fakes.ActiveSMS)
	first, err := d.list().Run(context.Background(), fakes.ActiveSMS.Document, 1, "")
	if err != nil || first.NextCursor == "" {
		t.Fatalf("first page = %+v, %v", first, err)
	}
	valid := first.NextCursor
	flipped := []byte(valid)
	flipped[len(flipped)/3] ^= 0x01
	forged := cursor.ForListing(cursor.New([]byte("some-other-key-that-is-long-enough-0123"))).
		Encode(fakes.ActiveSMS.ID, exam.Position{CreatedAt: "2026", ExamID: "x"})
	for _, tc := range []struct {
		name     string
		document string
		limit    int
		cursor   string
		want     error
	}{
		{"limit 0", fakes.ActiveSMS.Document, 0, "", exam.ErrInvalidRequest},
		{"limit over 100", fakes.ActiveSMS.Document, exam.MaxPageSize + 1, "", exam.ErrInvalidRequest},
		{"invalid CPF", "5299822472", 20, "", exam.ErrInvalidDocument},
		{"patient unknown", "12345678909", 20, "", exam.ErrPatientNotFound},
		{"inactive patient may be listed", fakes.Inactive.Document, 20, "", nil},
		{"valid cursor", fakes.ActiveSMS.Document, 1, valid, nil},
		{"another patient's cursor", fakes.ActiveEmail.Document, 1, valid, exam.ErrInvalidCursor},
		{"one bit flipped", fakes.ActiveSMS.Document, 1, string(flipped), exam.ErrInvalidCursor},
		{"signature cut off", fakes.ActiveSMS.Document, 1, valid[:len(valid)-4], exam.ErrInvalidCursor},
		{"empty signature", fakes.ActiveSMS.Document, 1, valid[:len(valid)-43] + ".", exam.ErrInvalidCursor},
		{"signed with another key", fakes.ActiveSMS.Document, 1, forged, exam.ErrInvalidCursor},
		{"not a cursor", fakes.ActiveSMS.Document, 1, "hello", exam.ErrInvalidCursor},
		{"garbage with a dot", fakes.ActiveSMS.Document, 1, "a.b", exam.ErrInvalidCursor},
		{"base64 of plain JSON", fakes.ActiveSMS.Document, 1, "eyJwIjoicGF0aWVudC0xIn0.AAAA", exam.ErrInvalidCursor},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.list().Run(context.Background(), tc.document, tc.limit, tc.cursor)
			if !errors.Is(err, tc.want) || (tc.want != nil && err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// attendant is the actor of the use cases' tests.
var attendant = exam.Actor{Kind: exam.ActorAttendant, ID: "3f6c2a9e-7b1d-4c5e-9a8f-2b3c4d5e6f70", Name: "ana"}
