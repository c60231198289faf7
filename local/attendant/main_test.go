package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
)

// TestSteps: each step prints only what the next one needs, or fails with a
// message that names the answer's code or the make variable to set.
func TestSteps(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.URL.Path == "/exam/new":
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"exam_id":"e-1","status":"Registered"}`))
		case r.URL.Path == "/exam/start" && strings.Contains(string(body), `"exam_id":"e-1"`):
			_, _ = w.Write([]byte(`{"exam":{"exam_id":"e-1"},"exam_token":"header.claims.signature"}`))
		default:
			w.WriteHeader(http.StatusConflict)
			_, _ = w.Write([]byte(`{"error":{"code":"INVALID_TRANSITION","message":"exam is not in a state that allows this action"}}`))
		}
	}))
	defer api.Close()
	down, err := emulators.FreeLoopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	up := strings.TrimPrefix(api.URL, "http://")

	for _, tt := range []struct {
		name       string
		step       string
		env        map[string]string
		wantCode   int
		wantOut    string
		wantStderr string
	}{
		{"register prints the id", "register", map[string]string{stack.APIAddrVar: up}, 0, "e-1\n", ""},
		{"start prints the token", "start", map[string]string{stack.APIAddrVar: up, "EXAM_ID": "e-1"}, 0, "header.claims.signature\n", ""},
		{"an error answer names its code", "start", map[string]string{stack.APIAddrVar: up, "EXAM_ID": "e-2"}, 1, "", "start: the API answered 409 INVALID_TRANSITION: exam is not in a state that allows this action\n"},
		{"start names the missing variable", "start", map[string]string{stack.APIAddrVar: up}, 1, "", "EXAM_ID is required"},
		{"a bad exam type names its variable", "register", map[string]string{stack.APIAddrVar: up, "EXAM_TYPE": "blood"}, 1, "", "EXAM_TYPE must be a catalog code"},
		{"a stack that is down", "register", map[string]string{stack.APIAddrVar: down}, 1, "", "nothing answers at " + down + ": start the local stack with `make run`"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := run([]string{tt.step}, func(k string) string { return tt.env[k] }, http.DefaultClient, &stdout, &stderr)
			if code != tt.wantCode || stdout.String() != tt.wantOut || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, stdout.String(), stderr.String(), tt.wantCode, tt.wantOut, tt.wantStderr)
			}
		})
	}
}
