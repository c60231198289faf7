package labelcode

import (
	"testing"

	"github.com/google/uuid"
)

// FuzzParse: any text is either refused as malformed or read as a code whose
// exam id is a canonical UUID; and it verifies only if it is exactly the code
// the key makes for that exam (no forgery, no second spelling).
func FuzzParse(f *testing.F) {
	c := randomCases(1)[0]
	code := mustSign(f, c.key, c.e, expiresBy)
	for _, s := range []string{code, code[:Len-1] + "0", code + " ", "Z1", "eyJhbGciOiJIUzI1NiJ9.e30.x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parsed, err := Parse(s)
		if err != nil {
			return
		}
		if id, err := uuid.Parse(parsed.ExamID); err != nil || id.String() != parsed.ExamID || len(s) != Len {
			t.Fatalf("Parse(%q): exam id %q", s, parsed.ExamID)
		}
		e := Exam{ID: parsed.ExamID, PatientID: c.e.PatientID, Type: c.e.Type}
		if Verify([][]byte{c.key}, s, e, parsed.Expires.Add(-1)) == nil && s != mustSign(t, c.key, e, parsed.Expires) {
			t.Fatalf("%q verified but is not as signed", s)
		}
	})
}
