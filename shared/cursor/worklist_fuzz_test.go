package cursor

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/zmed/exam-manager/shared/exam"
)

// FuzzWorklistDecode: a worklist cursor is accepted only in exactly the form
// the codec issues for that status, and gives back the day and position it
// was issued for; what the codec issues always decodes to what was encoded.
func FuzzWorklistDecode(f *testing.F) {
	c := worklists.Encode(exam.StatusRegistered, "2026-05-27", queued)
	f.Add("Registered", c, "2026-05-27", queued.EnteredAt, queued.ExamID)
	f.Add("Started", c, "2026-05-27", queued.EnteredAt, queued.ExamID)
	f.Add("Registered", c[:len(c)-1]+"A", "2026-5-27", "x", "y")
	f.Add("Registered", codec.Encode("Registered 2026-05-27", pos), "", "", "")
	f.Fuzz(func(t *testing.T, status, s, since, enteredAt, examID string) {
		st := exam.Status(status)
		gotSince, got, err := worklists.Decode(st, s)
		if err == nil && worklists.Encode(st, gotSince, got) != s {
			t.Fatalf("cursor %q accepted but the codec issues %q for it", s, worklists.Encode(st, gotSince, got))
		}
		if err != nil && !errors.Is(err, exam.ErrInvalidCursor) {
			t.Fatalf("err = %v", err)
		}
		want := exam.QueuePosition{EnteredAt: enteredAt, ExamID: examID}
		issued := worklists.Encode(st, since, want)
		backSince, back, err := worklists.Decode(st, issued)
		// Statuses and days are checked before a cursor is issued: one word,
		// and a day without spaces; times and ids come out of DynamoDB, valid UTF-8.
		valid := utf8.ValidString(status) && utf8.ValidString(since) && utf8.ValidString(enteredAt) && utf8.ValidString(examID) &&
			status != "" && !strings.Contains(status, " ") && since != "" && !strings.Contains(since, " ") && enteredAt != "" && examID != ""
		if valid && (err != nil || back != want || backSince != since) {
			t.Fatalf("issued %q for %q %+v; decodes to %q %+v, %v", issued, since, want, backSince, back, err)
		}
	})
}
