package cursor

import (
	"errors"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
)

const base64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

var (
	codec = New([]byte("test-cursor-key-0123456789abcdef"))
	pos   = Position{CreatedAt: "2026-06-01T09:00:00.000001Z", ExamID: "4f1c2a1e-8a57-4c8e-9d35-5b1f6f0b8f11"}
)

func TestRoundTrip(t *testing.T) {
	c := codec.Encode("patient-1", pos)
	if got, err := codec.Decode("patient-1", c); err != nil || got != pos {
		t.Fatalf("Decode = %+v, %v; want %+v", got, err, pos)
	}
	if _, err := codec.Decode("patient-2", c); !errors.Is(err, exam.ErrInvalidCursor) {
		t.Fatalf("another patient's cursor accepted: %v", err)
	}
	if _, err := New([]byte("another-cursor-key-0123456789abcdef")).Decode("patient-1", c); !errors.Is(err, exam.ErrInvalidCursor) {
		t.Fatalf("cursor of another key accepted: %v", err)
	}
}

// TestEveryChangedCursorIsRefused changes each character of a cursor into
// every other base64url character and the separator, deletes it, and inserts
// a line break before it: each change is refused.
func TestEveryChangedCursorIsRefused(t *testing.T) {
	c := codec.Encode("patient-1", pos)
	refused := func(changed string) {
		t.Helper()
		if changed == c {
			return
		}
		if got, err := codec.Decode("patient-1", changed); !errors.Is(err, exam.ErrInvalidCursor) {
			t.Fatalf("changed cursor %q accepted as %+v (err %v)", changed, got, err)
		}
	}
	for i := range len(c) {
		for _, r := range base64URL + ".=" {
			refused(c[:i] + string(r) + c[i+1:])
		}
		refused(c[:i] + c[i+1:])
		refused(c[:i] + "\n" + c[i:])
		refused(c[:i] + "\r\n" + c[i:])
	}
	for _, suffix := range []string{"\n", "=", "==", ".", "A"} {
		refused(c + suffix)
	}
	refused(strings.Replace(c, ".", "..", 1))
}
