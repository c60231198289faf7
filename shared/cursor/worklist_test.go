package cursor

import (
	"errors"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
)

var (
	worklists = ForWorklist([]byte("test-cursor-key-0123456789abcdef"))
	queued    = exam.QueuePosition{EnteredAt: pos.CreatedAt, ExamID: pos.ExamID}
)

func TestWorklistRoundTrip(t *testing.T) {
	c := worklists.Encode(exam.StatusStarted, "2026-05-27", queued)
	if since, got, err := worklists.Decode(exam.StatusStarted, c); err != nil || since != "2026-05-27" || got != queued {
		t.Fatalf("Decode = %q, %+v, %v; want 2026-05-27, %+v", since, got, err, queued)
	}
	refused := map[string]string{
		"another status":  c,
		"another key":     ForWorklist([]byte("another-cursor-key-0123456789abcdef")).Encode(exam.StatusRegistered, "2026-05-27", queued),
		"a listing's":     codec.Encode("Registered 2026-05-27", pos),
		"no day in scope": worklists.Encode(exam.StatusRegistered, "", queued),
	}
	for name, c := range refused {
		if _, _, err := worklists.Decode(exam.StatusRegistered, c); !errors.Is(err, exam.ErrInvalidCursor) {
			t.Errorf("%s accepted: %v", name, err)
		}
	}
	// Nor is a worklist cursor a listing's, whatever the patient id.
	if _, err := codec.Decode("Started 2026-05-27", c); !errors.Is(err, exam.ErrInvalidCursor) {
		t.Fatalf("a worklist cursor accepted by the listing: %v", err)
	}
}
