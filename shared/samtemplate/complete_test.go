package samtemplate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/console"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/reconcile"
	"github.com/zmed/exam-manager/shared/resultfiling"
)

// TestEveryFunctionIsComplete holds each function to what it needs besides its
// code: a main, a test running CheckFunction (the template, Makefile, variables
// and sample-event checks, which only the function's own package can run), an
// entry in the endpoint table or the processor, and, for the console's routes,
// docs/api.md (TestEveryRouteIsComplete holds the endpoint table's routes to it).
func TestEveryFunctionIsComplete(t *testing.T) {
	root := Root()
	known := map[string]bool{resultfiling.Function: true, reconcile.Function: true, console.Function: true}
	apiDoc, err := os.ReadFile(filepath.Join(root, "docs", "api.md"))
	if err != nil {
		t.Fatal(err)
	}
	// A function may serve several rows (TestEveryRouteIsComplete holds
	// the rows that share a function to the same audit action or none).
	for _, e := range httpapi.Endpoints() {
		known[e.Function] = true
	}
	for _, r := range console.Routes() {
		if r.Method == "HEAD" {
			continue // answered as its GET, which is documented
		}
		if !strings.Contains(string(apiDoc), "`"+r.String()+"`") {
			t.Errorf("docs/api.md does not document `%s`", r)
		}
	}
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		t.Fatal(err)
	}
	folders := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() {
			folders[e.Name()] = true
		}
	}
	for fn := range known {
		if !folders[fn] {
			t.Errorf("functions/%s is in the endpoint table (or is the processor or the reconciler) but does not exist", fn)
		}
	}
	for fn := range folders {
		if !known[fn] {
			t.Errorf("functions/%s is neither an endpoint of httpapi.Endpoints, the processor nor the reconciler", fn)
		}
		if _, err := os.Stat(filepath.Join(root, "functions", fn, "main.go")); err != nil {
			t.Errorf("functions/%s has no main.go", fn)
		}
		test, _ := os.ReadFile(filepath.Join(root, "functions", fn, "main_test.go"))
		if !strings.Contains(string(test), `samtemplate.CheckFunction(t, "`+fn+`"`) {
			t.Errorf("functions/%s/main_test.go must call samtemplate.CheckFunction(t, %q, …)", fn, fn)
		}
	}
}
