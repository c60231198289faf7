// Package mototest runs moto in server mode, a second and independent
// implementation of the AWS APIs, for tests: the same adapter suites that run
// against the in-process emulators run against it too.
package mototest

import (
	"context"
	_ "embed"
	"encoding/json"
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

// serialMoto runs moto's server application one request at a time (see the
// script's own comment for why).
//
//go:embed serialmoto.py
var serialMoto string

// python finds a Python with moto[server] installed: $ZMED_MOTO_PYTHON, then
// the project's .venv (where `make test` installs moto).
func python() string {
	if p := os.Getenv("ZMED_MOTO_PYTHON"); p != "" {
		return p
	}
	_, file, _, _ := runtime.Caller(0)
	venv := filepath.Join(filepath.Dir(file), "..", "..", "..", "..", ".venv", "bin")
	if _, err := os.Stat(filepath.Join(venv, "moto_server")); err == nil {
		return filepath.Join(venv, "python")
	}
	return ""
}

// Python is that Python, where the other Python test tools of
// .ci/requirements.txt are installed too (pycognito), or "" without one.
func Python() string { return python() }

// Start starts moto on a free loopback port for the rest of the test (or
// skips the test, outside CI, when moto is not installed: `make test` installs it).
// Requests are served one at a time, so each is atomic as in AWS. The server
// stops when the test ends, and with the test process if that dies.
func Start(t testing.TB) *Server {
	t.Helper()
	py := python()
	if py == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("moto not found: make test installs it into .venv")
		}
		t.Skip("moto not found; `make test` installs it (or set ZMED_MOTO_PYTHON to a Python with moto[server])")
	}
	addr, err := emulators.FreeLoopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(py, "-c", serialMoto, host, port)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	log := &tail{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("moto's last output:\n%s", log.String())
		}
	})
	s := &Server{URL: "http://" + addr}
	// moto takes a few seconds to import; the bound only stops a hang, since a
	// loaded machine can take far longer. A moto that exits fails at once.
	for giveUp := time.Now().Add(2 * time.Minute); ; {
		resp, err := http.Get(s.URL + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case <-exited:
			t.Fatalf("moto exited before answering on %s", s.URL)
		default:
		}
		if time.Now().After(giveUp) {
			t.Fatalf("moto did not answer on %s within 2 minutes: %v", s.URL, err)
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

// tail keeps the last 8 KiB written to it: moto's errors, shown on failure.
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

// EachS3 runs f as two subtests: endpoint=local on the local S3 endpoint
// (emulators.S3, in process) and endpoint=moto on moto's S3 (behind
// emulators.ConditionalCopy), so that one S3 test holds on two independent
// implementations.
func EachS3(t *testing.T, f func(t *testing.T, url string)) {
	t.Run("endpoint=local", func(t *testing.T) {
		h, _ := emulators.S3()
		srv, err := emulators.Serve("127.0.0.1:0", h)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Close() })
		f(t, srv.URL)
	})
	t.Run("endpoint=moto", func(t *testing.T) { f(t, Start(t).S3URL(t)) })
}
