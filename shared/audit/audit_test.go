package audit_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/audit"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/logctx"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// TestLine: one JSON line as docs/security.md shows it, with the request id; the
// actor's name never, and an exam id only as a UUID.
func TestLine(t *testing.T) {
	ctx := logctx.WithRequestID(context.Background(), "req-1")
	actor := exam.Actor{Kind: exam.ActorAttendant, ID: "3f6c2a9e-7b1d-4c5e-9a8f-2b3c4d5e6f70", Name: "Maria da Silva"}
	for _, tc := range []struct {
		name  string
		entry audit.Entry
		want  map[string]any
	}{
		{"a change", audit.Entry{Action: audit.Action("exam.start"), Actor: actor, ExamID: "0b6f3c4e-5d1a-4c2b-9e8f-1a2b3c4d5e01", PatientID: "p-1", Outcome: audit.OK},
			map[string]any{"level": "INFO", "msg": "audit", "audit": true, "action": "exam.start", "request_id": "req-1",
				"actor": map[string]any{"kind": "attendant", "id": actor.ID}, "exam_id": "0b6f3c4e-5d1a-4c2b-9e8f-1a2b3c4d5e01", "patient_id": "p-1", "outcome": "ok"}},
		{"a refusal before the exam id validated", audit.Entry{Action: audit.Action("exam.revoke"), Actor: actor, ExamID: "Maria 52998224725", Outcome: "INVALID_REQUEST"},
			map[string]any{"level": "INFO", "msg": "audit", "audit": true, "action": "exam.revoke", "request_id": "req-1",
				"actor": map[string]any{"kind": "attendant", "id": actor.ID}, "outcome": "INVALID_REQUEST"}},
		{"the automatic path", audit.Entry{Action: audit.ResultProcess, Actor: exam.ProcessResultActor, Outcome: "INVALID_TOKEN"},
			map[string]any{"level": "INFO", "msg": "audit", "audit": true, "action": "result.process", "request_id": "req-1",
				"actor": map[string]any{"kind": "automatic", "id": "process-result"}, "outcome": "INVALID_TOKEN"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buf := logtest.Capture(t)
			audit.Write(ctx, tc.entry)
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if len(lines) != 1 {
				t.Fatalf("%d lines: %q", len(lines), lines)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
				t.Fatal(err)
			}
			delete(got, "time")
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("line %s\nwant %v", lines[0], tc.want)
			}
		})
	}
}
