package logtest

import (
	"encoding/json"
	"strings"
	"testing"
)

// AuditLine is an audit line (docs/security.md) as a test reads it.
type AuditLine struct {
	Action    string            `json:"action"`
	Actor     map[string]string `json:"actor"`
	ExamID    string            `json:"exam_id"`
	PatientID string            `json:"patient_id"`
	Outcome   string            `json:"outcome"`
	Raw       string            `json:"-"`
}

// AuditLines returns the audit lines among the JSON log lines of text; it
// fails t if one lacks its action, actor or outcome.
func AuditLines(t testing.TB, text string) []AuditLine {
	t.Helper()
	var out []AuditLine
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		var mark struct {
			Audit bool `json:"audit"`
		}
		if json.Unmarshal([]byte(line), &mark) != nil || !mark.Audit {
			continue
		}
		a := AuditLine{Raw: line}
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("audit line %s: %v", line, err)
		}
		if a.Action == "" || a.Actor["kind"] == "" || a.Actor["id"] == "" || a.Outcome == "" {
			t.Fatalf("audit line without action, actor or outcome: %s", line)
		}
		out = append(out, a)
	}
	return out
}
