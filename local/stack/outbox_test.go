package stack

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
)

// TestOutboxNamesTheExamOnlyWhenKnown: a message that came over the SNS/SES
// wire carries no exam id, and its line says nothing rather than "(exam )".
func TestOutboxNamesTheExamOnlyWhenKnown(t *testing.T) {
	for _, tt := range []struct {
		name, examID, wantConsole, wantFile string
	}{
		{"known", "e-1", "📨 sms to +5511999990000 (exam e-1): ready\n", `"exam_id":"e-1"`},
		{"from the wire", "", "📨 sms to +5511999990000: ready\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "outbox.jsonl")
			var console strings.Builder
			o, err := NewOutbox(path, &console)
			if err != nil {
				t.Fatal(err)
			}
			if err := o.Notify(context.Background(), exam.Message{Channel: exam.ChannelSMS, To: "+5511999990000", ExamID: tt.examID, Text: "ready"}); err != nil {
				t.Fatal(err)
			}
			if console.String() != tt.wantConsole {
				t.Errorf("console %q, want %q", console.String(), tt.wantConsole)
			}
			line, _ := os.ReadFile(path)
			if has := strings.Contains(string(line), "exam_id"); has != (tt.wantFile != "") || !strings.Contains(string(line), tt.wantFile) {
				t.Errorf("outbox line %s, want %q", line, tt.wantFile)
			}
		})
	}
}
