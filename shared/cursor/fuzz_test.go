package cursor

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/zmed/exam-manager/shared/exam"
)

// FuzzDecode: a cursor is accepted only in exactly the form the codec issues
// for that patient (so no forged or re-spelled cursor passes), and what the
// codec issues always decodes to what was encoded.
func FuzzDecode(f *testing.F) {
	c := codec.Encode("patient-1", pos)
	f.Add("patient-1", c, pos.CreatedAt, pos.ExamID)
	f.Add("patient-1", c[:len(c)-1]+"A", "2026-06-01T09:00:00Z", "x")
	f.Add("patient-2", c+"\n", "", "")
	f.Add("patient-1", "eyJwIjoicGF0aWVudC0xIn0.", "2026-13-01T00:00:00Z", "4f1c2a1e-8a57-4c8e-9d35-5b1f6f0b8f11")
	f.Fuzz(func(t *testing.T, patientID, s, createdAt, examID string) {
		got, err := codec.Decode(patientID, s)
		if err == nil && codec.Encode(patientID, got) != s {
			t.Fatalf("cursor %q accepted but the codec issues %q for it", s, codec.Encode(patientID, got))
		}
		if err != nil && !errors.Is(err, exam.ErrInvalidCursor) {
			t.Fatalf("err = %v", err)
		}
		want := Position{CreatedAt: createdAt, ExamID: examID}
		issued := codec.Encode(patientID, want)
		back, err := codec.Decode(patientID, issued)
		// Ids and times come out of JSON and DynamoDB, so they are valid UTF-8
		// (JSON would turn anything else into U+FFFD).
		valid := utf8.ValidString(patientID) && utf8.ValidString(createdAt) && utf8.ValidString(examID)
		if valid && createdAt != "" && examID != "" && (err != nil || back != want) {
			t.Fatalf("issued %q for %+v; decodes to %+v, %v", issued, want, back, err)
		}
	})
}
