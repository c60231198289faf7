// Package logtest lets a test read the JSON log lines the code writes.
package logtest

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/zmed/exam-manager/shared/logging"
)

// Capture sends the default logger's lines, as production writes them, to the
// returned buffer until the test ends. Tests using it must not run in parallel.
func Capture(t testing.TB) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(logging.New(&buf, slog.LevelDebug))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return &buf
}
