package resultfiling_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/metrics"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/s3results"
	"github.com/zmed/exam-manager/shared/testsupport/emftest"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// TestPermanentRefusals: S3 refusing a request for good is not retried. The
// object goes to stuck/ as unfileable when S3 lets it; when S3 refuses that
// too, it stays in completed/, one error line with a stable message says so,
// and the invocation succeeds (a retry would meet the same refusal).
func TestPermanentRefusals(t *testing.T) {
	tests := []struct {
		name    string
		refuse  func(r *refusals)
		filed   bool // filed in stuck/ as unfileable; else left in completed/
		notify  bool // the exam was finished and its patient notified
		knownID bool // the filed object names its exam
	}{
		{"copy to processed/ denied", func(r *refusals) { r.refuse(true, "processed/", http.StatusForbidden, "AccessDenied") }, true, true, true},
		{"copy to processed/ with metadata too large", func(r *refusals) { r.refuse(true, "processed/", http.StatusBadRequest, "MetadataTooLarge") }, true, true, true},
		{"read denied", func(r *refusals) { r.refuse(false, "completed/", http.StatusForbidden, "AccessDenied") }, true, false, false},
		{"every copy denied", func(r *refusals) { r.refuse(true, "", http.StatusForbidden, "AccessDenied") }, false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := logtest.Capture(t)
			h := newHarness(t)
			e, tok := h.startedExam(fakes.ActiveSMS)
			key := "completed/2026_11/" + e.ID + ".pdf"
			ev := h.putPDF(key, tok, h.resultToken(e.ID))
			tt.refuse(h.refusals)
			if err := h.handle(context.Background(), ev); err != nil {
				t.Fatalf("a permanent refusal failed the invocation (Lambda would retry it): %v", err)
			}
			if n := len(h.notifier.Sent()); (n == 1) != tt.notify || n > 1 {
				t.Fatalf("%d notifications", n)
			}
			unfileableLogged := strings.Contains(logs.String(), resultfiling.UnfileableMessage)
			points, err := emftest.Read(logs.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			counted := emftest.Sums(points)[string(metrics.ResultsUnfileable)+"{}"]
			if !tt.filed {
				h.expectKeys(key)
				if !unfileableLogged || counted != 1 {
					t.Fatalf("no error line %q counting %s once (counted %v) in\n%s", resultfiling.UnfileableMessage, metrics.ResultsUnfileable, counted, logs)
				}
				return
			}
			if counted != 0 {
				t.Fatalf("filed, yet counted as %s", metrics.ResultsUnfileable)
			}
			filed := "stuck/" + month + "/" + e.ID + ".pdf"
			h.expectKeys(filed)
			meta := h.filedMetadata(filed)
			wantID := ""
			if tt.knownID {
				wantID = e.ID
			}
			if meta[s3results.OutcomeMeta] != "stuck" || meta[s3results.ReasonMeta] != string(resultfiling.Unfileable) || meta[s3results.ExamIDMeta] != wantID {
				t.Fatalf("filed with %v, want stuck, unfileable, exam id %q", meta, wantID)
			}
			if unfileableLogged {
				t.Fatal("filed, yet logged as unfileable")
			}
		})
	}
}

func TestFolderMarkersAreIgnored(t *testing.T) {
	h := newHarness(t)
	for _, marker := range []string{"completed/2026_11/", "completed/", "completed/2026_11/lab-a/"} {
		if err := h.handle(context.Background(), h.put(marker, "application/x-directory", nil, nil)); err != nil {
			t.Fatalf("%s: %v", marker, err)
		}
	}
	h.expectKeys("completed/", "completed/2026_11/", "completed/2026_11/lab-a/")
}

// TestIdenticalBytesAreTwoResults: two labs upload the very same bytes for two
// exams under the same file name; both are filed, each naming its exam.
func TestIdenticalBytesAreTwoResults(t *testing.T) {
	h := newHarness(t)
	var exams []string
	for _, lab := range []string{"lab-a", "lab-b"} {
		e, tok := h.startedExam(fakes.ActiveSMS)
		ev := h.put("completed/2026_11/"+lab+"/rX.pdf", "application/pdf", []byte("%PDF the same bytes"),
			map[string]string{s3results.ExamTokenMeta: tok, s3results.ResultTokenMeta: h.resultToken(e.ID)})
		if err := h.handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		if err := h.handle(context.Background(), ev); err != nil { // S3 delivers at least once
			t.Fatal(err)
		}
		exams = append(exams, e.ID)
	}
	keys := h.keys()
	if len(keys) != 2 || keys[1] != "processed/"+month+"/rX.pdf" || !strings.HasPrefix(keys[0], "processed/"+month+"/rX-") {
		t.Fatalf("bucket holds %q", keys)
	}
	for i, key := range []string{keys[1], keys[0]} { // the first filed took the name
		if got := h.filedMetadata(key)[s3results.ExamIDMeta]; got != exams[i] {
			t.Errorf("%s names exam %q, want %q", key, got, exams[i])
		}
		if h.exam(exams[i]).Status != exam.StatusFinished {
			t.Errorf("exam %d not finished", i)
		}
	}
	if n := len(h.notifier.Sent()); n != 2 {
		t.Fatalf("%d notifications, want 2", n)
	}
}
