package stack

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/httpapi"
)

// schemathesisChecks are what each response is held to: no 5xx, and a status,
// body, content type and headers the OpenAPI document gives the operation.
const schemathesisChecks = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"

// schemathesis finds the Schemathesis CLI: $ZMED_SCHEMATHESIS, then the
// project's virtualenv (.venv, from .ci/requirements.txt). Outside CI a missing one skips the test.
func schemathesis(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("ZMED_SCHEMATHESIS"), filepath.Join("..", "..", ".venv", "bin", "schemathesis")} {
		if p == "" {
			continue
		}
		if abs, err := filepath.Abs(p); err == nil {
			if _, err := os.Stat(abs); err == nil {
				return abs
			}
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("schemathesis not found: make test installs it into .venv (or set ZMED_SCHEMATHESIS)")
	}
	t.Skip("schemathesis not found; `make test` installs it (or set ZMED_SCHEMATHESIS)")
	return ""
}

// TestSchemathesis runs Schemathesis, the property-based API tester, against
// the local stack with the API's OpenAPI document: a bounded number of
// generated requests per route (valid and invalid, then chains that follow
// the document's links), generated deterministically so that every run sends
// the same requests, with Hypothesis' health checks off (they time the
// generation, which a loaded machine slows). Calls carry no
// Authorization header: the local authorizer takes them as the local attendant.
func TestSchemathesis(t *testing.T) {
	cli := schemathesis(t)
	spec, err := filepath.Abs(filepath.Join("..", "..", "docs", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	e := startStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, "run", spec, "--url", e.s.APIURL,
		"--checks", schemathesisChecks,
		"--phases", "examples,coverage,fuzzing,stateful",
		"--max-examples", "25", "--generation-deterministic", "--suppress-health-check", "all",
		"--generation-with-security-parameters", "false",
		"--workers", "1", "--request-timeout", "20", "--no-color", "--output-truncate", "false")
	// Hypothesis and Schemathesis write nothing into the repository.
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "SCHEMATHESIS_HOOKS=", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("schemathesis found problems (or did not run: %v):\n%s", err, out)
	}
	// Every route of the API was tested: none is missing from the document.
	if tested := fmt.Sprintf("Tested: %d\n", len(httpapi.Endpoints())); !strings.Contains(string(out), tested) {
		t.Fatalf("schemathesis did not test every route (want %q):\n%s", tested, out)
	}
	t.Logf("%s", out)
}
