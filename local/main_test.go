package main

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/testsupport/emulators"
)

// freeAddr returns a loopback address for the command to listen on.
func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := emulators.FreeLoopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// TestInterruptStopsCleanly runs the real command, waits for its banner, sends
// it SIGINT as Ctrl-C does, and checks that it exits 0 and leaves nothing listening.
func TestInterruptStopsCleanly(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "local")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	addrs := map[string]string{
		"ZMED_LOCAL_API_ADDR": freeAddr(t), "ZMED_LOCAL_S3_ADDR": freeAddr(t),
		"ZMED_LOCAL_DYNAMODB_ADDR": freeAddr(t), "ZMED_LOCAL_PATIENT_MANAGER_ADDR": freeAddr(t),
		"ZMED_LOCAL_OPS_ADDR": freeAddr(t),
	}
	cmd := exec.Command(bin)
	cmd.Dir = ".." // the repository root, as `make run` runs it
	cmd.Env = append(os.Environ(), "ZMED_LOCAL_OUTBOX="+filepath.Join(t.TempDir(), "outbox.jsonl"))
	for k, v := range addrs {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, _ := cmd.StdoutPipe()
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		found := false
		for sc.Scan() {
			if !found && strings.Contains(sc.Text(), "local stack ready") {
				found = true
				ready <- true
			}
		}
		if !found {
			ready <- false
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("the stack exited without its banner")
		}
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("no banner within 2 minutes")
	}
	t.Logf("banner after %v", time.Since(began).Round(time.Millisecond))
	for name, addr := range addrs {
		if c, err := net.Dial("tcp", addr); err != nil {
			t.Fatalf("%s (%s) not listening: %v", name, addr, err)
		} else {
			c.Close()
		}
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after Ctrl-C: %v, want status 0", err)
		}
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("still running a minute after Ctrl-C")
	}
	for name, addr := range addrs {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s (%s) still listening after exit", name, addr)
		}
	}
}
