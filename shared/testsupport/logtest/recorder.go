package logtest

import (
	"fmt"
	"testing"
)

// Recorder is a testing.TB whose Fatalf records the failure and returns, so
// that a test can prove a check fails when it should.
type Recorder struct {
	testing.TB
	Failures []string
}

// Helper does nothing: the recorded failures name no line.
func (r *Recorder) Helper() {}

// Fatalf records the failure.
func (r *Recorder) Fatalf(format string, args ...any) {
	r.Failures = append(r.Failures, fmt.Sprintf(format, args...))
}
