package lambdarun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/exam"
)

// Fixtures is the state the sample events in events/ expect (events/fixtures.json).
type Fixtures struct {
	PatientDocument string `json:"patient_document"`
	Exams           []struct {
		ExamID   string      `json:"exam_id"`
		ExamType int         `json:"exam_type"`
		Status   exam.Status `json:"status"`
	} `json:"exams"`
	Objects []struct {
		Key         string            `json:"key"`
		ContentType string            `json:"content_type"`
		Body        string            `json:"body"`
		Metadata    map[string]string `json:"metadata"`
	} `json:"objects"`
}

// LoadFixtures reads a fixtures file.
func LoadFixtures(path string) (Fixtures, error) {
	var f Fixtures
	raw, err := os.ReadFile(path)
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return f, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Seed writes the fixtures f into the running stack s through its own adapters.
func Seed(ctx context.Context, s *stack.Stack, f Fixtures) error {
	var patientID, patientName string
	for _, p := range s.Patients {
		if p.Document == f.PatientDocument {
			patientID, patientName = p.ID, p.Name
		}
	}
	if patientID == "" {
		return fmt.Errorf("fixtures: no patient with document %s", f.PatientDocument)
	}
	now := time.Now().UTC().Add(-time.Hour)
	for _, x := range f.Exams {
		e := exam.Exam{ID: x.ExamID, PatientID: patientID, PatientDocument: f.PatientDocument,
			PatientName: patientName, Type: exam.Type(x.ExamType),
			Status: x.Status, CreatedAt: now, UpdatedAt: now}
		if x.Status == exam.StatusStarted {
			e.StartedAt = now
		}
		if err := s.Store.Create(ctx, e); err != nil {
			return fmt.Errorf("fixtures: exam %s: %w", x.ExamID, err)
		}
	}
	for _, o := range f.Objects {
		if _, err := s.S3Backend.PutObject(s.Config.Bucket, o.Key, withContentType(o.Metadata, o.ContentType),
			bytes.NewReader([]byte(o.Body)), int64(len(o.Body)), nil); err != nil {
			return fmt.Errorf("fixtures: object %s: %w", o.Key, err)
		}
	}
	return nil
}

// withContentType turns user metadata into the backend's header form. The
// backend is written directly so that seeding does not trigger processing.
func withContentType(meta map[string]string, contentType string) map[string]string {
	out := map[string]string{
		"Content-Type":  contentType,
		"Last-Modified": time.Now().UTC().Format(http.TimeFormat),
	}
	for k, v := range meta {
		out[http.CanonicalHeaderKey("X-Amz-Meta-"+k)] = v
	}
	return out
}
