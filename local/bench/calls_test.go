package main

import (
	"context"
	"testing"

	"github.com/zmed/exam-manager/shared/console"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// TestEveryFunctionIsMeasured: each function that serves no route has a step
// in the calls-per-operation report, and every named row is a function's or a
// route's.
func TestEveryFunctionIsMeasured(t *testing.T) {
	steps := otherSteps(context.Background(), nil, nil, nil, nil, resultfiling.Processor{})
	functions := map[string]bool{}
	for _, fn := range otherFunctions {
		functions[fn] = true
		if steps[fn] == nil {
			t.Errorf("functions/%s has no step in the calls-per-operation report", fn)
		}
	}
	for _, want := range []string{resultfiling.Function, console.Function} {
		if !functions[want] {
			t.Errorf("functions/%s is not measured by the calls-per-operation report", want)
		}
	}
	for _, e := range httpapi.Endpoints() {
		functions[e.Function] = true
		functions[e.Route.String()] = true
	}
	for fn := range operations {
		if !functions[fn] {
			t.Errorf("the report names a row for %s, which is neither a route, a route's function nor measured", fn)
		}
	}
}

// TestEveryRouteIsMeasured: the report measures every route of the endpoint
// table by replaying its sample event on the fixtures' state, and each
// operation keeps to its budget (its own, or the general one).
func TestEveryRouteIsMeasured(t *testing.T) {
	logtest.CaptureConcurrent(t) // the handlers' lines, out of the test's output
	rows, err := measureCalls(context.Background(), t.TempDir())
	if err != nil {
		t.Fatalf("the calls-per-operation report cannot measure every route: %v", err)
	}
	measured := map[string]bool{}
	for _, r := range rows {
		measured[r.function] = true
		if !r.met() {
			n := r.counts
			t.Errorf("functions/%s (%s): %d lookups, %d DynamoDB, %d S3, %d sends: over its budget (%s)",
				r.function, r.op, n["patient manager"], n["DynamoDB"], n["S3"], n["SNS"]+n["SESv2"], r.budget.text)
		}
	}
	for _, e := range httpapi.Endpoints() {
		if !measured[e.Function] {
			t.Errorf("route %s (functions/%s) has no row in the calls-per-operation report", e.Route, e.Function)
		}
	}
}
