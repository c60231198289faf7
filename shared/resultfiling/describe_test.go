package resultfiling

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
)

func TestDescribeHidesURLs(t *testing.T) {
	err := &url.Error{Op: "Get", URL: "http://127.0.0.1:4566/zmed/completed/Maria%20da%20Silva.pdf", Err: errors.New("connection refused")}
	wrapped := errors.Join(exam.ErrDependency, err)
	if got := describe(wrapped); strings.Contains(got, "Maria") || !strings.Contains(got, "connection refused") {
		t.Fatalf("describe = %q", got)
	}
}
