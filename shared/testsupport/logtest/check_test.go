package logtest

import (
	"bytes"
	"testing"
)

// The checks read what the code logged, not the numbers the logging itself
// makes up: a timestamp, a request id or a measured latency may hold any
// digits, a phone number's among them, and must not fail the test at random
// (a request id holding "98765" did, once).
func TestCheckLinesLooksAtLoggedValuesOnly(t *testing.T) {
	const phone = "98765"
	for _, tc := range []struct {
		name string
		line string
		fail bool
	}{
		{"request id, time, EMF timestamp and a latency holding the digits",
			`{"time":"2026-11-27T14:16:33.987651234Z","level":"INFO","msg":"request refused","request_id":"066af3cf-3c2b-4556-a68c-c7198765345d",` +
				`"exam_id":"98765000-3c2b-4556-a68c-000000000000","_aws":{"Timestamp":1798765341053},"PatientManagerLatency":0.987653}`, false},
		{"a CPF-length run nowhere but in numbers logging makes up", `{"time":"2026-11-27T14:16:33.598765123Z","msg":"x","ms":1.98765,"list":[0.598765]}`, false},
		{"a time logged as a value holding them", `{"time":"2026-11-27T14:16:33Z","msg":"x","claim_until":"2026-11-27T14:15:33.198765123Z"}`, false},
		{"a logged value holding them", `{"time":"2026-11-27T14:16:33Z","msg":"x","reason":"tel 98765-4321"}`, true},
		{"a logged value holding them beside a UUID", `{"time":"2026-11-27T14:16:33Z","msg":"x","error":"066af3cf-3c2b-4556-a68c-c71000000000 98765"}`, true},
		{"the message holding them", `{"time":"2026-11-27T14:16:33Z","msg":"call 98765"}`, true},
		{"a nested value holding them", `{"time":"2026-11-27T14:16:33Z","msg":"x","actor":{"id":"98765"}}`, true},
		{"a whole number holding them", `{"time":"2026-11-27T14:16:33Z","msg":"x","n":1987650}`, true},
		{"an exam id that is not a UUID", `{"time":"2026-11-27T14:16:33Z","msg":"x","exam_id":"exam-1"}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Recorder{TB: t}
			CheckLines(r, bytes.NewBufferString(tc.line+"\n"), []string{phone})
			if failed := len(r.Failures) > 0; failed != tc.fail {
				t.Fatalf("failed %v (%v), want %v", failed, r.Failures, tc.fail)
			}
		})
	}
}
