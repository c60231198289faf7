package apitest

import (
	"testing"

	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

func TestCheckNoCPF(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		fail       bool
	}{
		{"a CPF with punctuation", `{"time":"2026-11-27T14:16:33Z","msg":"x","document":"529.982.247-25"}`, true},
		{"a CPF spread over two values", `{"time":"2026-11-27T14:16:33Z","msg":"529.982","reason":"247-25"}`, true},
		{"a CPF logged as a number", `{"time":"2026-11-27T14:16:33Z","msg":"x","n":52998224725}`, true},
		{"the digits only in the time and a duration, a request id holding a part",
			`{"time":"2026-11-27T14:16:33.529982247Z","msg":"x","request_id":"52998224-7a50-4000-8000-000000000000","ms":5.2998224725}`, false},
		// A random UUID holds a given eleven-digit run once in some 10^12: one
		// that does was sent by a client (an exam id) and hides the CPF.
		{"a UUID hiding the CPF", `{"time":"2026-11-27T14:16:33Z","msg":"x","exam_id":"` + CPFInUUID + `"}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &logtest.Recorder{TB: t}
			CheckNoCPF(r, tc.line+"\n")
			if failed := len(r.Failures) > 0; failed != tc.fail {
				t.Fatalf("failed %v (%v), want %v", failed, r.Failures, tc.fail)
			}
		})
	}
}
