package patient

import (
	"context"
	"encoding/json"
	"errors"
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

func TestSlowServerIsUnavailablePromptly(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)

	// The Lambda deadline (500 ms) is nearer than the client's own timeout (3 s).
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, err := New(srv.URL, srv.Client(), 0).FindByDocument(ctx, "52998224725")
	took := time.Since(began)
	if !errors.Is(err, exam.ErrDependency) {
		t.Fatalf("err = %v, want ErrDependency", err)
	}
	// The margin leaves time before the caller's own deadline.
	if took >= 500*time.Millisecond {
		t.Fatalf("took %v, not before the caller's deadline", took)
	}

	// Without a caller deadline the client's own timeout applies.
	began = time.Now()
	_, err = New(srv.URL, srv.Client(), 100*time.Millisecond).FindByDocument(context.Background(), "52998224725")
	if !errors.Is(err, exam.ErrDependency) || time.Since(began) > 2*time.Second {
		t.Fatalf("err = %v after %v, want ErrDependency after about 100ms", err, time.Since(began))
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
