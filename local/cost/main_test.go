package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/samtemplate"
)

// TestCostOfTheCommittedFigures runs `make cost` on the committed figures,
// prices and template: it fails when a function's size in the template was
// changed (or a function added) without `make bench` measuring it, or when
// an operation of an exam was not measured.
func TestCostOfTheCommittedFigures(t *testing.T) {
	root := samtemplate.Root()
	var out bytes.Buffer
	if err := run(&out, root, filepath.Join(root, "local/cost/measured.json"), filepath.Join(root, "local/cost/prices.json")); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Per 1,000 exams", "## Per month", "1,000,000 exams", "**total**", "## Memory sizes"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("make cost's output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "not measured") {
		t.Errorf("a function is not measured at its template size: run make bench and commit local/cost/measured.json\n%s", out.String())
	}
}
