// Package stacktest starts the local stack for the tests of the commands
// that run against it (zmedctl, zmedresult).
package stacktest

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/config"
)

// Start starts the local stack with every endpoint on a free loopback port
// (never the defaults a `make run` may hold), the patients of
// local/patients.json (patients is its path from the test's folder), its
// outbox in the test's directory and a short retry backoff; extra sets more
// of its variables. The stack stops when the test ends.
func Start(t *testing.T, patients string, extra map[string]string) (*stack.Stack, stack.Config) {
	t.Helper()
	vars := map[string]string{
		stack.APIAddrVar: "127.0.0.1:0", stack.S3AddrVar: "127.0.0.1:0", stack.DynamoDBAddrVar: "127.0.0.1:0",
		stack.PatientsAddrVar: "127.0.0.1:0", stack.OpsAddrVar: "127.0.0.1:0",
		"ZMED_LOCAL_PATIENTS": patients, "ZMED_LOCAL_OUTBOX": filepath.Join(t.TempDir(), "outbox.jsonl"),
		"ZMED_LOCAL_RETRY_BACKOFF": "20ms",
	}
	for k, v := range extra {
		vars[k] = v
	}
	cfg, err := stack.ReadConfig(config.FromMap(vars))
	if err != nil {
		t.Fatal(err)
	}
	s, err := stack.Start(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, cfg
}
