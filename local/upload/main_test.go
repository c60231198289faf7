package main

import (
	"context"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
)

// TestErrorsNameWhatToDo: usage errors name the make variables, and a stack
// that is down is said to be down (the filing itself is covered by the
// quick-start test in local/).
func TestErrorsNameWhatToDo(t *testing.T) {
	down, err := emulators.FreeLoopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name       string
		printOnly  bool
		env        map[string]string
		wantStderr string
	}{
		{"no exam id", false, map[string]string{}, "upload: EXAM_ID is required: make upload EXAM_ID="},
		{"no exam id for a result token", true, map[string]string{}, "EXAM_ID is required"},
		{"no exam token", false, map[string]string{"EXAM_ID": "e-1"}, "upload: EXAM_TOKEN is required"},
		{"a format it does not know", false, map[string]string{"EXAM_ID": "e-1", "FORMAT": "xml"}, `FORMAT must be pdf or json, got "xml"`},
		{"a stack that is down", false, map[string]string{"EXAM_ID": "e-1", "EXAM_TOKEN": "t", stack.S3AddrVar: down},
			"nothing answers at " + down + ": start the local stack with `make run` in another terminal, or set ZMED_LOCAL_S3_ADDR"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := run(context.Background(), tt.printOnly, config.FromMap(tt.env), &stdout, &stderr)
			if code != 1 || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Fatalf("exit %d, stderr %q; want 1 and %q", code, stderr.String(), tt.wantStderr)
			}
			if strings.Contains(stdout.String(), "uploaded") {
				t.Fatalf("stdout %q claims an upload", stdout.String())
			}
		})
	}
}
