package main

import (
	"context"
	"testing"

	"github.com/zmed/exam-manager/shared/console"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/resultfiling"
)

// TestEveryFunctionIsMeasured: each route's function and the processor have a
// row in the calls-per-operation report and a step that runs it.
func TestEveryFunctionIsMeasured(t *testing.T) {
	steps := operationSteps(context.Background(), nil, nil, nil, nil, resultfiling.Processor{})
	rows := map[string]bool{}
	for _, o := range operations {
		rows[o.function] = true
		if steps[o.function] == nil {
			t.Errorf("functions/%s has a row but no step", o.function)
		}
	}
	want := []string{resultfiling.Function, console.Function}
	for _, e := range httpapi.Endpoints() {
		want = append(want, e.Function)
	}
	for _, fn := range want {
		if !rows[fn] {
			t.Errorf("functions/%s has no row in the calls-per-operation report", fn)
		}
	}
	if len(rows) != len(want) {
		t.Errorf("%d rows for %d functions", len(rows), len(want))
	}
}
