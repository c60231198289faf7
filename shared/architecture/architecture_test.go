package architecture

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/zmed/exam-manager/"

// deps lists the packages that the packages matching pattern link (tests
// excluded), each with the packages its build depends on.
func deps(t *testing.T, pattern string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, pattern)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pattern, err)
	}
	got := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		got[fields[0]] = fields[1:]
	}
	return got
}

// testSupport are the packages only tests and the local tools may link: all
// of shared/testsupport, the template's reader, and the standard library's testing.
var testSupport = []string{module + "shared/testsupport", module + "shared/samtemplate", "testing"}

func TestRules(t *testing.T) {
	type rule struct {
		name      string
		pattern   string
		forbidden func(dep string) bool
	}
	isAWS := func(dep string) bool { return strings.HasPrefix(dep, "github.com/aws/") }
	rules := []rule{
		{"the domain imports no AWS package", "./shared/exam", isAWS},
		// Its use cases tell an observer (exam.Observer) what happened; shared/telemetry logs and counts it.
		{"the domain neither logs nor counts", "./shared/exam", under("log", module+"shared/logctx", module+"shared/logging",
			module+"shared/metrics", module+"shared/telemetry")},
		{"the domain knows no HTTP", "./shared/exam", under("net/http", module+"shared/apigw", module+"shared/httpapi")},
		{"the automatic path's use case imports no AWS package", "./shared/resultfiling", isAWS},
		{"the reconciler's use case imports no AWS package", "./shared/reconcile", isAWS},
		{"the metrics import no AWS package", "./shared/metrics", isAWS},
		{"no Lambda links a test-support package", "./functions/...", under(testSupport...)},
		{"no command links a test-support package", "./cmd/...", under(testSupport...)},
		{"no Lambda imports the local tools or a command", "./functions/...", under(module+"local", module+"cmd")},
		{"the local tools import no Lambda", "./local/...", under(module + "functions")},
		{"the commands import no Lambda and no local tool", "./cmd/...", under(module+"functions", module+"local")},
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			for pkg, ds := range deps(t, r.pattern) {
				for _, d := range ds {
					if r.forbidden(d) {
						t.Errorf("%s depends on %s", pkg, d)
					}
				}
			}
		})
	}
}

// under matches each of paths and every package below it.
func under(paths ...string) func(dep string) bool {
	return func(dep string) bool {
		for _, p := range paths {
			if dep == p || strings.HasPrefix(dep, p+"/") {
				return true
			}
		}
		return false
	}
}

// TestHostsShareTheSeam: every function that serves a route and the local
// stack build their handlers from the endpoint table of shared/httpapi.
func TestHostsShareTheSeam(t *testing.T) {
	seam := module + "shared/httpapi"
	hosts := deps(t, "./functions/...")
	for pkg, ds := range deps(t, "./local/stack") {
		hosts[pkg] = ds
	}
	for pkg, ds := range hosts {
		if strings.HasSuffix(pkg, "/process-result") || strings.HasSuffix(pkg, "/reconcile-results") {
			continue // S3 or the schedule invokes it; it serves no route
		}
		if !slices.Contains(ds, seam) {
			t.Errorf("%s does not build on %s", pkg, seam)
		}
	}
}
