package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// auditOnly are the domain's codes no response carries: Communicate answers
// a notification being sent by another request as the finished exam.
var auditOnly = map[string]bool{exam.CodeNotificationInProgress: true}

// TestEveryCodeHasARow: each code of the domain (but the audit-only ones) and
// of the HTTP layer has exactly one row, with an error status and a message.
func TestEveryCodeHasARow(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range ErrorTable {
		if seen[r.Code] {
			t.Errorf("%s has two rows", r.Code)
		}
		seen[r.Code] = true
		if r.Status < 400 || r.Status > 599 || len(r.Message) < 8 {
			t.Errorf("%s: status %d, message %q", r.Code, r.Status, r.Message)
		}
		if auditOnly[r.Code] {
			t.Errorf("%s is audit-only but has a row", r.Code)
		}
	}
	codes := append(exam.Codes(), CodePayloadTooLarge, CodeRouteNotFound, CodeMethodNotAllowed, CodeUnauthenticated)
	for _, c := range codes {
		if !seen[c] && !auditOnly[c] {
			t.Errorf("code %s has no row in ErrorTable (status and English message)", c)
		}
	}
}

// TestErrorAnswersItsRow: an error answers its code's row; a RequestError
// its own message; anything unknown, the audit-only codes included, INTERNAL.
func TestErrorAnswersItsRow(t *testing.T) {
	for _, tc := range []struct {
		err     error
		status  int
		code    string
		message string
	}{
		{ErrPayloadTooLarge, 413, "PAYLOAD_TOO_LARGE", "request body is larger than 64 KiB"},
		{fmt.Errorf("reading: %w", ErrUnauthenticated), 401, "UNAUTHENTICATED", "bearer token is missing, invalid or expired"},
		{exam.InvalidRequest("exam_id must be a UUID"), 400, "INVALID_REQUEST", "exam_id must be a UUID"},
		{exam.ErrInvalidCursor, 400, "INVALID_REQUEST", "cursor is not valid for this listing"},
		{exam.ErrPatientMismatch, 422, "TOKEN_MISMATCH", "token does not match the exam's patient"},
		{exam.ErrTokenMismatch, 422, "TOKEN_MISMATCH", "tokens do not name the same exam"},
		{exam.ErrTokenExpired, 422, "INVALID_TOKEN", "token is invalid or expired"},
		{exam.ErrExamRevoked, 409, "INVALID_TRANSITION", "exam is not in a state that allows this action"},
		{fmt.Errorf("%w: dynamodb: timeout at 10.0.0.7", exam.ErrDependency), 503, "DEPENDENCY_UNAVAILABLE", "a service the exam manager depends on is unavailable; try again later"},
		{exam.ErrNotificationClaimed, 500, "INTERNAL", "internal error"},
		{ErrNoClaims, 500, "INTERNAL", "internal error"},
		{errors.New("disk at 10.0.0.7 is full"), 500, "INTERNAL", "internal error"},
	} {
		resp := Error(context.Background(), tc.err)
		var body errorBody
		if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tc.status || body.Error.Code != tc.code || body.Error.Message != tc.message {
			t.Errorf("%v: %d %+v, want %d %s %q", tc.err, resp.StatusCode, body.Error, tc.status, tc.code, tc.message)
		}
	}
}

// TestAFailureLogsNoURL: a dependency's network error quotes the URL it
// called, which for S3 holds the object key; the "request failed" line keeps
// the error without it.
func TestAFailureLogsNoURL(t *testing.T) {
	logs := logtest.Capture(t)
	key := "completed/2026_12/0b6f3c4e-5d1a-4c2b-9e8f-1a2b3c4d5e05-h00112233445566778899aabbccddeeff.pdf"
	err := fmt.Errorf("%w: s3: %w", exam.ErrDependency, &url.Error{Op: "Head", URL: "https://results.s3.sa-east-1.amazonaws.com/" + key, Err: errors.New("dial tcp: connection refused")})
	if resp := Error(context.Background(), err); resp.StatusCode != 503 {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
	if strings.Contains(logs.String(), key) || !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("the line should keep the error and not its URL: %s", logs)
	}
}
