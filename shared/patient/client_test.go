package patient

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
)

const verified = `"2026-01-02T03:04:05Z"`

func patientJSON(status, phoneVerified, emailVerified string) string {
	return `{"id":"p-1","document":"52998224725","name":"Maria Silva","status":"` + status +
		`","cellphone":"+5511999990000","cellphone_verified_at":` + phoneVerified +
		`,"email":"maria@example.com","email_verified_at":` + emailVerified + `}`
}

func TestFindByDocument(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		want    exam.Patient
		wantErr error
	}{
		{"active, both verified", 200, patientJSON("active", verified, verified), exam.Patient{
			ID: "p-1", Document: "52998224725", Name: "Maria Silva", Status: exam.PatientActive,
			Cellphone: "+5511999990000", CellphoneVerified: true, Email: "maria@example.com", EmailVerified: true}, nil},
		{"inactive, none verified", 200, patientJSON("inactive", "null", "null"), exam.Patient{
			ID: "p-1", Document: "52998224725", Name: "Maria Silva", Status: exam.PatientInactive,
			Cellphone: "+5511999990000", Email: "maria@example.com"}, nil},
		{"pending, e-mail verified", 200, patientJSON("pending", "null", verified), exam.Patient{
			ID: "p-1", Document: "52998224725", Name: "Maria Silva", Status: exam.PatientPending,
			Cellphone: "+5511999990000", Email: "maria@example.com", EmailVerified: true}, nil},
		{"not found", 404, `{"error":"not found"}`, exam.Patient{}, exam.ErrPatientNotFound},
		{"server error", 500, `oops`, exam.Patient{}, exam.ErrDependency},
		{"bad gateway", 502, ``, exam.Patient{}, exam.ErrDependency},
		{"malformed JSON", 200, `{"id":`, exam.Patient{}, exam.ErrDependency},
		{"unknown status", 200, patientJSON("deceased", "null", "null"), exam.Patient{}, exam.ErrDependency},
		{"wrong type", 200, `{"id": 7, "status": "active"}`, exam.Patient{}, exam.ErrDependency},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var req map[string]string
				if r.Method != http.MethodPost || r.URL.Path != "/document/find" ||
					json.NewDecoder(r.Body).Decode(&req) != nil || req["document"] != "52998224725" {
					t.Errorf("unexpected request %s %s %v", r.Method, r.URL.Path, req)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			got, err := New(srv.URL+"/", srv.Client(), time.Second).FindByDocument(context.Background(), "52998224725")
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) || got != tt.want {
				t.Fatalf("FindByDocument = %+v, %v; want %+v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// withBirthDate is a patient whose birth_date member is raw (JSON).
func withBirthDate(raw string) string {
	return strings.TrimSuffix(patientJSON("active", "null", "null"), "}") + `,"birth_date":` + raw + `}`
}

// TestBirthDate: the optional birth date is kept when it is a real day written
// YYYY-MM-DD; absent, null or anything else leaves it unknown and the patient
// is found all the same.
func TestBirthDate(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"a day", withBirthDate(`"1987-03-09"`), "1987-03-09"},
		{"29 February of a leap year", withBirthDate(`"2000-02-29"`), "2000-02-29"},
		{"absent", patientJSON("active", "null", "null"), ""},
		{"null", withBirthDate(`null`), ""},
		{"empty", withBirthDate(`""`), ""},
		{"no such day", withBirthDate(`"1990-02-30"`), ""},
		{"29 February of another year", withBirthDate(`"2001-02-29"`), ""},
		{"without zeros", withBirthDate(`"1990-3-9"`), ""},
		{"day first", withBirthDate(`"09/03/1987"`), ""},
		{"with a time", withBirthDate(`"1987-03-09T00:00:00Z"`), ""},
		{"a number", withBirthDate(`19870309`), ""},
		{"an object", withBirthDate(`{"day":"1987-03-09"}`), ""},
		{"markup", withBirthDate(`"<b>1987-03-09</b>"`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			got, err := New(srv.URL, srv.Client(), time.Second).FindByDocument(context.Background(), "52998224725")
			if err != nil || got.ID != "p-1" || got.BirthDate != tt.want {
				t.Fatalf("FindByDocument = %+v, %v; want birth date %q", got, err, tt.want)
			}
		})
	}
}

// deadlineRecorder records the deadline each request carries.
type deadlineRecorder struct {
	next      http.RoundTripper
	deadlines chan time.Time
}

func (d deadlineRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	deadline, _ := r.Context().Deadline()
	d.deadlines <- deadline
	return d.next.RoundTrip(r)
}

// TestSlowServerIsUnavailableBeforeTheDeadline: a patient manager that never
// answers is a dependency failure, and the request's own deadline leaves
// deadlineMargin before the caller's (or is the client's timeout without
// one). Deadlines are compared, not elapsed times, so load cannot change the
// outcome.
func TestSlowServerIsUnavailableBeforeTheDeadline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the body lets the server notice the client hanging up.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	defer srv.Close()
	rec := deadlineRecorder{next: srv.Client().Transport, deadlines: make(chan time.Time, 1)}
	httpClient := &http.Client{Transport: rec}

	// The Lambda deadline (500 ms) is nearer than the client's own timeout (3 s).
	callerDeadline := time.Now().Add(500 * time.Millisecond)
	ctx, cancel := context.WithDeadline(context.Background(), callerDeadline)
	defer cancel()
	began := time.Now()
	_, err := New(srv.URL, httpClient, 3*time.Second).FindByDocument(ctx, "52998224725")
	took := time.Since(began)
	if !errors.Is(err, exam.ErrDependency) {
		t.Fatalf("err = %v, want ErrDependency", err)
	}
	// The budget is computed a moment after began: the request deadline is at
	// most callerDeadline - margin + that moment.
	if got := <-rec.deadlines; got.IsZero() || got.After(callerDeadline.Add(-deadlineMargin).Add(took)) {
		t.Fatalf("request deadline %v, want by %v less the margin %v", got, callerDeadline, deadlineMargin)
	}

	// Without a caller deadline the client's own timeout applies.
	const timeout = 100 * time.Millisecond
	before := time.Now()
	_, err = New(srv.URL, httpClient, timeout).FindByDocument(context.Background(), "52998224725")
	after := time.Now()
	if !errors.Is(err, exam.ErrDependency) {
		t.Fatalf("err = %v, want ErrDependency", err)
	}
	if got := <-rec.deadlines; got.Before(before.Add(timeout)) || got.After(after.Add(timeout)) {
		t.Fatalf("request deadline %v, want the call's start plus %v", got, timeout)
	}
}

func TestConnectionRefusedIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	if _, err := New(url, http.DefaultClient, time.Second).FindByDocument(context.Background(), "52998224725"); !errors.Is(err, exam.ErrDependency) {
		t.Fatalf("err = %v, want ErrDependency", err)
	}
}

// TestErrorsQuoteNoUpstreamValue: what the patient manager sent in a malformed
// answer never reaches the error text, which the 503's log line carries.
func TestErrorsQuoteNoUpstreamValue(t *testing.T) {
	const secret = "Maria 52998224725"
	for name, body := range map[string]string{
		"status":                 patientJSON(secret, "null", "null"),
		"cellphone_verified_at":  patientJSON("active", `"`+secret+`"`, "null"),
		"email_verified_at":      patientJSON("active", "null", `"`+secret+`"`),
		"id of the wrong type":   `{"id": ["` + secret + `"], "status": "active"}`,
		"name of the wrong type": `{"id": "p-1", "status": "active", "name": {"` + secret + `": 1}}`,
		"trailing data":          patientJSON("active", "null", "null") + `"` + secret + `"`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) }))
			defer srv.Close()
			_, err := New(srv.URL, srv.Client(), time.Second).FindByDocument(context.Background(), "52998224725")
			if !errors.Is(err, exam.ErrDependency) || strings.Contains(err.Error(), "Maria") || strings.Contains(err.Error(), "5299") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}
