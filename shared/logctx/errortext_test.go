package logctx

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// TestErrorTextHidesURLs: a network error's URL (an object key in it) is left out.
func TestErrorTextHidesURLs(t *testing.T) {
	err := &url.Error{Op: "Get", URL: "http://127.0.0.1:4566/zmed/completed/Maria%20da%20Silva.pdf", Err: errors.New("connection refused")}
	wrapped := errors.Join(errors.New("dependency unavailable"), err)
	if got := ErrorText(wrapped); strings.Contains(got, "Maria") || !strings.Contains(got, "connection refused") {
		t.Fatalf("ErrorText = %q", got)
	}
}
