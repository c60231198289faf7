package stack

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/config"
)

// TestSecondStackSaysWhichAddressIsTaken: a second stack on the first one's
// API address fails with a hint naming the variable that moves it.
func TestSecondStackSaysWhichAddressIsTaken(t *testing.T) {
	first := startStack(t)
	taken := strings.TrimPrefix(first.s.APIURL, "http://")
	cfg, err := ReadConfig(config.FromMap(map[string]string{
		APIAddrVar: taken, S3AddrVar: "127.0.0.1:0", DynamoDBAddrVar: "127.0.0.1:0", PatientsAddrVar: "127.0.0.1:0", OpsAddrVar: "127.0.0.1:0",
		"ZMED_LOCAL_PATIENTS": "../patients.json", "ZMED_LOCAL_OUTBOX": filepath.Join(t.TempDir(), "outbox.jsonl"),
	}))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(context.Background(), cfg, io.Discard)
	if err == nil {
		_ = s.Close()
		t.Fatal("a second stack started on a taken address")
	}
	for _, want := range []string{taken + " is already in use", "is a local stack already running", "move this one with " + APIAddrVar + "="} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
