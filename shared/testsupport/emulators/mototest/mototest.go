// Package mototest runs moto in server mode, a second and independent
// implementation of the AWS APIs, for tests: the same adapter suites that run
// against the in-process emulators run against it too.
package mototest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/testsupport/emulators"
)

// Server is a running moto server.
type Server struct {
	URL string
}

// binary finds moto_server: $ZMED_MOTO_SERVER, then the project's .venv.
func binary() string {
	if p := os.Getenv("ZMED_MOTO_SERVER"); p != "" {
		return p
	}
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "..", ".venv", "bin", "moto_server")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

// Start starts moto on a free loopback port for the rest of the test (or
// skips the test, outside CI, when moto is not installed: `make test` installs it).
// The server stops when the test ends, and with the test process if that dies.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := binary()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("moto_server not found: make test installs it into .venv")
		}
		t.Skip("moto_server not found; `make test` installs it (or set ZMED_MOTO_SERVER)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	log := &tail{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("moto's last output:\n%s", log.String())
		}
	})
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port)}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto did not answer on %s: %v", s.URL, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("backend: moto server at %s", s.URL)
	return s
}

// Reset empties every moto backend.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	resp, err := http.Post(s.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// Models returns moto's own record of service's model instances (its
// /moto-api/data.json inspection interface), e.g. Models(t, "sns", "SMS").
func (s *Server) Models(t testing.TB, service, model string) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/moto-api/data.json", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var data map[string]map[string][]map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&data); err != nil {
		t.Fatal(err)
	}
	return data[service][model]
}

// tail keeps the last 8 KiB written to it: moto's request log, shown on failure.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (l *tail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if len(l.buf) > 8<<10 {
		l.buf = l.buf[len(l.buf)-8<<10:]
	}
	return len(p), nil
}

func (l *tail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}

// S3URL returns an endpoint for moto's S3 behind emulators.ConditionalCopy:
// moto ignores If-None-Match on CopyObject, which S3 honours.
func (s *Server) S3URL(t testing.TB) string {
	t.Helper()
	h, err := emulators.S3Proxy(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := emulators.Serve("127.0.0.1:0", h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proxy.Close() })
	return proxy.URL
}
