package resultfiling_test

import (
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/resultfiling"
)

func TestReadBucketChecksTheFolders(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string // in the error; none: the folders are fine
	}{
		{"defaults", nil, nil},
		{"renamed, trailing slashes", map[string]string{config.CompletedPrefixVar: "in/", config.ProcessedPrefixVar: "out/ok/", config.StuckPrefixVar: "out/stuck"}, nil},
		{"completed and an outcome the same", map[string]string{config.CompletedPrefixVar: "inbox", config.ProcessedPrefixVar: "inbox"},
			[]string{config.CompletedPrefixVar, config.ProcessedPrefixVar, "overlap"}},
		{"the same but for a slash", map[string]string{config.StuckPrefixVar: "denied/"}, []string{config.StuckPrefixVar, config.DeniedPrefixVar}},
		{"one begins with another", map[string]string{config.CompletedPrefixVar: "results", config.ProcessedPrefixVar: "results-done"},
			[]string{config.CompletedPrefixVar, config.ProcessedPrefixVar, "overlap"}},
		{"an outcome inside completed", map[string]string{config.DeletedPrefixVar: "completed/deleted"}, []string{config.DeletedPrefixVar}},
		{"only a slash", map[string]string{config.DeniedPrefixVar: "/"}, []string{config.DeniedPrefixVar + " is empty"}},
		{"leading slash", map[string]string{config.CompletedPrefixVar: "/completed"}, []string{config.CompletedPrefixVar, "begins with /"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := config.FromMap(tt.env)
			resultfiling.ReadBucket(r)
			err := r.Err()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
