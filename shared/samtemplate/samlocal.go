package samtemplate

import (
	_ "embed"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// samLocalEnv computes what `sam local invoke --env-vars events/env.json`
// gives each function, with SAM CLI's own code.
//
//go:embed samlocalenv.py
var samLocalEnv string

var samLocal struct {
	once sync.Once
	env  map[string]map[string]string
	err  error
}

// SAMLocalEnvironment returns, by logical id, the variables SAM CLI would give
// each function for `sam local invoke <Function> --env-vars events/env.json`
// (SAM applies a variable of that file only where the template declares it).
// It needs the project's .venv, where make test installs the SAM CLI.
func SAMLocalEnvironment(t *testing.T) map[string]map[string]string {
	t.Helper()
	python := venvPython(t, "sam")
	samLocal.once.Do(func() {
		cmd := exec.Command(python, "-c", samLocalEnv, filepath.Join(Root(), "template.yaml"), filepath.Join(Root(), "events", "env.json"))
		// SAM CLI also takes declared variables from its own environment: give it none of ours.
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(), "SAM_CLI_TELEMETRY=0",
			"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local"}
		out, err := cmd.Output()
		if err != nil {
			samLocal.err = err
			if ee, ok := err.(*exec.ExitError); ok {
				samLocal.err = &scriptError{err, ee.Stderr}
			}
			return
		}
		samLocal.err = json.Unmarshal(out, &samLocal.env)
	})
	if samLocal.err != nil {
		t.Fatalf("SAM CLI's environment resolution: %v", samLocal.err)
	}
	return samLocal.env
}

// venvPython returns the Python of the project's .venv, where make test
// installs tool (sam, moto_server) with its libraries; without it the test
// is skipped, or fails in CI.
func venvPython(t *testing.T, tool string) string {
	t.Helper()
	bin := filepath.Join(Root(), ".venv", "bin")
	if _, err := os.Stat(filepath.Join(bin, tool)); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not in .venv: make test installs it", tool)
		}
		t.Skipf("%s is not in .venv; make test installs it", tool)
	}
	return filepath.Join(bin, "python")
}

type scriptError struct {
	err    error
	stderr []byte
}

func (e *scriptError) Error() string { return e.err.Error() + "\n" + string(e.stderr) }
