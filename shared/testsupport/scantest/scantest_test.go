package scantest

import "testing"

// TestTokenLengths: the fixtures' tokens are as long as the real ones.
func TestTokenLengths(t *testing.T) {
	if len(ExamToken) != 377 || len(LabelCode) != 45 {
		t.Fatalf("exam token %d, label code %d characters", len(ExamToken), len(LabelCode))
	}
}
