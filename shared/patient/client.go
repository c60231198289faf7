// Package patient is the client of the ZMED patient manager:
// POST {host}/document/find {"document": "<11 digits>"}.
package patient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/metrics"
	"github.com/zmed/exam-manager/shared/strictjson"
)

// DefaultTimeout caps one lookup; a nearer context deadline shortens it.
const DefaultTimeout = 3 * time.Second

// deadlineMargin is kept back from the caller's deadline so that a slow patient
// manager still leaves time to answer with a clear 503 or fail the invocation.
const deadlineMargin = 200 * time.Millisecond

// maxResponse bounds what is read of an answer.
const maxResponse = 64 << 10

// Client looks patients up. Its HTTP client is created once per cold start.
type Client struct {
	baseURL string
	http    *http.Client
	timeout time.Duration
}

// New returns a client of the patient manager at baseURL (scheme and host, with an optional path prefix).
func New(baseURL string, httpClient *http.Client, timeout time.Duration) *Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Client{baseURL: strings.TrimRight(baseURL, "/"), http: httpClient, timeout: timeout}
}

// record is the patient manager's representation of a patient.
type record struct {
	ID                  string     `json:"id"`
	Document            string     `json:"document"`
	Name                string     `json:"name"`
	Status              string     `json:"status"`
	Cellphone           string     `json:"cellphone"`
	CellphoneVerifiedAt *time.Time `json:"cellphone_verified_at"`
	Email               string     `json:"email"`
	EmailVerifiedAt     *time.Time `json:"email_verified_at"`
	// BirthDate is optional and taken as it comes: a value that is not a
	// YYYY-MM-DD date leaves the birth date unknown, never fails the lookup.
	BirthDate json.RawMessage `json:"birth_date"`
}

// FindByDocument finds the patient with these 11 digits.
func (c *Client) FindByDocument(ctx context.Context, document string) (exam.Patient, error) {
	ctx, cancel := context.WithTimeout(ctx, c.budget(ctx))
	defer cancel()
	body, _ := json.Marshal(map[string]string{"document": document}) // a string map cannot fail
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/document/find", bytes.NewReader(body))
	if err != nil {
		return exam.Patient{}, unavailable("build request", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	began := time.Now()
	resp, err := c.http.Do(req)
	metrics.Emit(ctx, metrics.Duration(metrics.PatientManagerLatency, time.Since(began)))
	if err != nil {
		return exam.Patient{}, unavailable("request", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
		return exam.Patient{}, exam.ErrPatientNotFound
	default:
		return exam.Patient{}, unavailable("answer", fmt.Errorf("status %d", resp.StatusCode))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	switch {
	case err != nil:
		return exam.Patient{}, unavailable("read answer", err)
	case len(data) > maxResponse:
		return exam.Patient{}, unavailable("answer", errors.New("larger than 64 KiB"))
	}
	// strictjson's errors name a member at most, never a value: an error's
	// text reaches the 503's log line, and the answer holds personal data.
	var r record
	if err := strictjson.Unmarshal(data, &r); err != nil {
		return exam.Patient{}, unavailable("decode answer", err)
	}
	return r.toPatient()
}

func (r record) toPatient() (exam.Patient, error) {
	status := exam.PatientStatus(r.Status)
	switch status {
	case exam.PatientPending, exam.PatientActive, exam.PatientInactive:
	default:
		return exam.Patient{}, unavailable("answer", errors.New("unknown patient status"))
	}
	if r.ID == "" {
		return exam.Patient{}, unavailable("answer", errors.New("patient without id"))
	}
	return exam.Patient{
		ID: r.ID, Document: r.Document, Name: r.Name, Status: status,
		Cellphone: r.Cellphone, CellphoneVerified: r.CellphoneVerifiedAt != nil,
		Email: r.Email, EmailVerified: r.EmailVerifiedAt != nil,
		BirthDate: birthDate(r.BirthDate),
	}, nil
}

// birthDate is raw as YYYY-MM-DD when it is a JSON string naming a real day
// of that form (no time, no zone), else "" (unknown).
func birthDate(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil || len(s) != len(time.DateOnly) {
		return ""
	}
	day, err := time.Parse(time.DateOnly, s)
	if err != nil || day.Format(time.DateOnly) != s {
		return ""
	}
	return s
}

// budget is the time one lookup may take: the configured timeout, shortened to
// leave deadlineMargin before the caller's deadline.
func (c *Client) budget(ctx context.Context) time.Duration {
	budget := c.timeout
	if deadline, ok := ctx.Deadline(); ok {
		if left := time.Until(deadline) - deadlineMargin; left < budget {
			budget = max(left, time.Millisecond)
		}
	}
	return budget
}

func unavailable(what string, err error) error {
	return fmt.Errorf("%w: patient manager %s: %w", exam.ErrDependency, what, err)
}
