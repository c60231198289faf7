package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/samtemplate"
)

// TestTemplate holds template.yaml, the Makefile and events/ to this function's code.
func TestTemplate(t *testing.T) {
	samtemplate.CheckFunction(t, "process-result", func(r *config.Reader) { boot.Read(r, readSettings) })
}

// TestBadFoldersStopTheColdStart runs this function's cold start (main, in a
// child process) with folders that would make processing trigger on its own
// output: it stops before serving, saying which variables clash.
func TestBadFoldersStopTheColdStart(t *testing.T) {
	if os.Getenv("ZMED_COLD_START_CHILD") == "1" {
		main()
		return
	}
	for name, folders := range map[string][]string{
		"completed is an outcome folder": {config.CompletedPrefixVar + "=inbox", config.ProcessedPrefixVar + "=inbox"},
		"an outcome begins with another": {config.StuckPrefixVar + "=done", config.DeniedPrefixVar + "=done-denied"},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard only
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestBadFoldersStopTheColdStart$")
			cmd.Env = append([]string{
				"ZMED_COLD_START_CHILD=1", "PATH=" + os.Getenv("PATH"),
				config.PatientManagerVar + "=http://127.0.0.1:9", config.EmailSenderVar + "=results@zmed.example",
				config.ExamKeyVar + "=test-exam-token-key-0123456789abcdef", config.ResultKeyVar + "=test-result-token-key-0123456789abcdef",
			}, folders...)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("cold start ended with %v, want exit status 1:\n%s", err, out)
			}
			for _, want := range []string{`"msg":"invalid configuration"`, "overlap", strings.SplitN(folders[0], "=", 2)[0], strings.SplitN(folders[1], "=", 2)[0]} {
				if !strings.Contains(string(out), want) {
					t.Errorf("cold start output does not say %q:\n%s", want, out)
				}
			}
		})
	}
}
