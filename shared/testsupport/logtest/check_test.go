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

// A UUID a client sent can hide a CPF or a phone and still pass as an exam id:
// the check finds the digits the test planted in a UUID, across its dashes,
// yet never fails on a random UUID for holding a short run such as a phone's
// last digits, nor on the planted value's digits spread over two UUIDs.
func TestCheckLinesFindsDigitsHiddenInAUUID(t *testing.T) {
	forbidden := []string{"529.982.247-25", "+5511987654321", "98765"}
	for _, tc := range []struct {
		name string
		line string
		fail bool
	}{
		{"a CPF as an exam id", `{"msg":"x","exam_id":"52998224-7250-4000-8000-000000000000"}`, true},
		{"a CPF across the dashes elsewhere in the line", `{"msg":"x","error":"no exam 00000529-9822-4725-8000-000000000000"}`, true},
		{"a phone as an upper-case UUID", `{"msg":"x","exam_id":"0000ABCD-5511-9876-5432-1000000000AB"}`, true},
		{"a phone's short run in a random request id", `{"msg":"x","request_id":"066af3cf-3c2b-4556-a68c-c7198765345d"}`, false},
		{"a CPF's digits split between two UUIDs", `{"msg":"x","a":"0000000a-0000-4000-8000-000005299822","b":"47250000-0000-4000-8000-00000000000a"}`, false},
		{"a CPF's first ten digits only", `{"msg":"x","exam_id":"52998224-72a0-4000-8000-000000000000"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Recorder{TB: t}
			CheckLines(r, bytes.NewBufferString(tc.line+"\n"), forbidden)
			if failed := len(r.Failures) > 0; failed != tc.fail {
				t.Fatalf("failed %v (%v), want %v", failed, r.Failures, tc.fail)
			}
		})
	}
}
