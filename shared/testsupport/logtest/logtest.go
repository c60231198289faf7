// Package logtest lets a test read the JSON log lines the code writes.
package logtest

import (
	"bytes"
	"log/slog"
	"sync"
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

// Lines is a log that goroutines other than the test's write to (servers,
// asynchronous invocations): it may be read while they write.
type Lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *Lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns every line written so far.
func (l *Lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// CaptureConcurrent is Capture for code that logs from other goroutines.
func CaptureConcurrent(t testing.TB) *Lines {
	t.Helper()
	lines := &Lines{}
	prev := slog.Default()
	slog.SetDefault(logging.New(lines, slog.LevelDebug))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return lines
}
