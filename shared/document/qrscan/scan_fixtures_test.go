package qrscan

import (
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/zmed/exam-manager/shared/testsupport/scantest"
)

func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	return scantest.JPEG(img, quality)
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	return scantest.PNG(img)
}

// tool runs a Debian tool the Makefile's pdftools target installs; absent,
// the test is skipped with how to get it.
func tool(t *testing.T, name string, args ...string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not found; `make pdftools` installs it (img2pdf, qpdf)", name)
	}
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// writeFile writes b into the test's directory and returns the path.
func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
