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
		{"the digits only in the time, a request id and a duration",
			`{"time":"2026-11-27T14:16:33.529982247Z","msg":"x","request_id":"52998224-7250-4000-8000-000000000000","ms":5.2998224725}`, false},
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
