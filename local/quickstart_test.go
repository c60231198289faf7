package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/config"
)

// quickStartMarker precedes the README's quick-start block.
const quickStartMarker = "<!-- quick start: local/quickstart_test.go runs this block as it is, on moved ports -->"

// TestQuickStartOnMovedPorts runs the README's quick-start block as it is,
// with bash -e, against a stack on ports other than the defaults, with only
// the stack's variables exported: every step must follow the stack, and the
// upload must end filed under processed/ with the patient told.
func TestQuickStartOnMovedPorts(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	block := quickStartBlock(t)
	env := map[string]string{
		stack.APIAddrVar: freeAddr(t), stack.S3AddrVar: freeAddr(t),
		stack.DynamoDBAddrVar: freeAddr(t), stack.PatientsAddrVar: freeAddr(t), stack.OpsAddrVar: freeAddr(t),
		"ZMED_LOCAL_OUTBOX":   filepath.Join(t.TempDir(), "outbox.jsonl"),
		"ZMED_LOCAL_PATIENTS": "../local/patients.json",
	}
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, nil)))
	defer slog.SetDefault(previous)
	cfg, err := stack.ReadConfig(config.FromMap(env))
	if err != nil {
		t.Fatal(err)
	}
	s, err := stack.Start(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	cmd := exec.Command("bash", "-euo", "pipefail", "-c", block)
	cmd.Dir = ".." // the repository root, where the README's commands run
	for _, kv := range os.Environ() {
		// An outer make's job server is not this one's.
		if k, _, _ := strings.Cut(kv, "="); k != "MAKEFLAGS" && k != "MFLAGS" && k != "MAKELEVEL" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the quick start failed: %v\n%s", err, out)
	}
	for _, want := range []string{
		`"can_register":true`,                        // the patient's card
		`"status":"Started"`,                         // the worklist
		`"patient":{"id":"`,                          // its item names the patient
		"filed as s3://zmed-exams-result/processed/", // make upload waited for the filing
		`"status":"Finished"`,                        // the listing
		`"notification":{"channel":"sms","status":"sent"`,
		`"channel":"sms","to":"+55`, // the outbox
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the quick start's output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "eyJ") {
		t.Errorf("a token was echoed:\n%s", out)
	}
}

// quickStartBlock is the bash block after the README's marker.
func quickStartBlock(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), quickStartMarker+"\n```bash\n")
	if !ok {
		t.Fatal("README.md has no quick-start block after its marker")
	}
	block, _, ok := strings.Cut(after, "\n```")
	if !ok {
		t.Fatal("the README's quick-start block does not end")
	}
	return block
}
