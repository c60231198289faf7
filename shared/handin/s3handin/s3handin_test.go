package s3handin

import (
	"testing"

	"github.com/zmed/exam-manager/shared/s3results"
)

// TestMetadataNamesAreTheFilings: the names Head reads are the ones the filing writes.
func TestMetadataNamesAreTheFilings(t *testing.T) {
	if reasonMeta != s3results.ReasonMeta || sourceKeyMeta != s3results.SourceKeyMeta {
		t.Fatalf("%q, %q; the filing writes %q, %q", reasonMeta, sourceKeyMeta, s3results.ReasonMeta, s3results.SourceKeyMeta)
	}
}
