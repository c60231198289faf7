package handin

import (
	"regexp"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
)

const fuzzExam = "0b6f3c4e-5d1a-4c2b-9e8f-1a2b3c4d5e03"

var issuedShape = regexp.MustCompile(`^completed/[0-9]{4}_(0[1-9]|1[0-2])/` + fuzzExam + `-h[0-9a-f]{32}\.(pdf|jpg|png)$`)

// FuzzOutcomeKey: a key sent to result-outcome is taken only in the one form
// result-upload issues for that exam (its folder, a real month, the exam id,
// 32 lowercase hex digits, a hand-in extension), so nothing else is ever
// looked up; and every key issued is taken, with its month and file name.
func FuzzOutcomeKey(f *testing.F) {
	issued := Key("completed", fuzzExam, exam.DocumentPDF, time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC))
	f.Add(issued, int64(0))
	f.Add("completed/2026_13/"+issued[len("completed/2026_12/"):], int64(1))
	f.Add("completed//2026_12/"+issued[len("completed/2026_12/"):], int64(2))
	f.Add("completed/2026_12/"+fuzzExam+".pdf", int64(3))
	f.Add("completed/2026_12/../processed/"+issued[len("completed/2026_12/"):], int64(4))
	f.Fuzz(func(t *testing.T, key string, seconds int64) {
		if k, ok := parseKey("completed", fuzzExam, key); ok {
			if !issuedShape.MatchString(key) || key != "completed/"+k.month.Format(monthLayout)+"/"+k.base {
				t.Fatalf("key %q taken as %+v", key, k)
			}
		}
		at := time.Unix(seconds%(1<<34), 0) // years 1970 to 2514
		for _, typ := range []exam.DocumentType{exam.DocumentPDF, exam.DocumentJPEG, exam.DocumentPNG} {
			issued := Key("completed", fuzzExam, typ, at)
			k, ok := parseKey("completed", fuzzExam, issued)
			if !ok || k.month.Format(monthLayout) != at.UTC().Format(monthLayout) || issued != "completed/"+at.UTC().Format(monthLayout)+"/"+k.base {
				t.Fatalf("issued %q not taken back: %+v %v", issued, k, ok)
			}
		}
	})
}
