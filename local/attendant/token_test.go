package main

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zmed/exam-manager/local/authorizer"
)

// TestAttendantToken: make -s attendant-token NAME=… prints a token the local
// API accepts as that attendant; without NAME it fails with the usage.
func TestAttendantToken(t *testing.T) {
	var stdout, stderr bytes.Buffer
	env := map[string]string{"NAME": "ana"}
	if code := run([]string{"token"}, func(k string) string { return env[k] }, http.DefaultClient, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	auth, err := authorizer.New([]byte(authorizer.DefaultKey), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	ctx, err := auth.Authorize("Bearer "+strings.TrimSpace(stdout.String()), true)
	if err != nil {
		t.Fatalf("the local API refuses the printed token: %v", err)
	}
	if c := ctx.JWT.Claims; c["sub"] != authorizer.SubOf("ana") || c["username"] != "ana" {
		t.Fatalf("claims %v", c)
	}
	stdout.Reset()
	if code := run([]string{"token"}, func(string) string { return "" }, http.DefaultClient, &stdout, &stderr); code != 2 || stdout.Len() != 0 {
		t.Fatalf("without NAME: exit %d, printed %q", code, stdout.String())
	}
}
