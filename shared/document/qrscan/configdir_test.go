package qrscan

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/zmed/exam-manager/shared/document"
)

// TestPDFNeedsNoConfigDir: reading a PDF writes nothing under the home or
// configuration directory (pdfcpu's default would; Lambda's home is
// read-only). It runs in a fresh process, where nothing read a PDF before.
func TestPDFNeedsNoConfigDir(t *testing.T) {
	home := t.TempDir()
	if os.Getenv("QRSCAN_CONFIGDIR_CHILD") == "1" {
		err := Scanner{}.PDFPageCodes(context.Background(), handPDF(1, 10, 10), document.DefaultLimits, func([]string) bool { return true })
		if err == nil {
			t.Fatal("the hand-made PDF's image should be unreadable")
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPDFNeedsNoConfigDir$", "-test.count=1")
	cmd.Env = append(os.Environ(), "QRSCAN_CONFIGDIR_CHILD=1", "HOME="+home, "XDG_CONFIG_HOME="+home)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if entries, _ := os.ReadDir(home); len(entries) != 0 {
		t.Fatalf("the home directory got %v", entries)
	}
}
