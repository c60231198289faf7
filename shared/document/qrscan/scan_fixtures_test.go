package qrscan

import (
	"bytes"
	"encoding/binary"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// withEXIFOrientation inserts, after a JPEG's SOI, an APP1 EXIF segment whose
// IFD0 holds one entry: the orientation tag, as a phone writes it.
func withEXIFOrientation(jpg []byte, orientation uint16) []byte {
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00*")
	binary.Write(&tiff, binary.BigEndian, uint32(8))                // IFD0 offset
	binary.Write(&tiff, binary.BigEndian, uint16(1))                // one entry
	binary.Write(&tiff, binary.BigEndian, []uint16{0x0112, 3})      // orientation, SHORT
	binary.Write(&tiff, binary.BigEndian, uint32(1))                // count
	binary.Write(&tiff, binary.BigEndian, []uint16{orientation, 0}) // value
	binary.Write(&tiff, binary.BigEndian, uint32(0))                // no next IFD
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	app1 := append([]byte{0xFF, 0xE1}, binary.BigEndian.AppendUint16(nil, uint16(len(seg)+2))...)
	out := append([]byte{}, jpg[:2]...)
	out = append(append(out, app1...), seg...)
	return append(out, jpg[2:]...)
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

// pillowPython is the Python that runs img2pdf, which has Pillow (Debian's
// img2pdf depends on python3-pil): the real encoder of the CMYK JPEG and the
// G4 TIFF fixtures, which Go's image packages cannot write.
func pillowPython(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("img2pdf")
	if err != nil {
		t.Skip("img2pdf not found; `make pdftools` installs it (img2pdf, qpdf)")
	}
	b, err := os.ReadFile(p)
	if err != nil || !bytes.HasPrefix(b, []byte("#!")) {
		t.Fatalf("img2pdf at %s is not a Python script", p)
	}
	return strings.Fields(string(b[2:bytes.IndexByte(b, '\n')]))[0]
}

// pillow has Pillow (through the Python that runs img2pdf) turn img, handed
// over as a PPM, into the file ext by script, which opens sys.argv[1] and
// saves sys.argv[2]; it returns the file's bytes.
func pillow(t *testing.T, img *image.RGBA, ext, script string) []byte {
	t.Helper()
	py := pillowPython(t)
	in := writeFile(t, "page.ppm", scantest.PPM(img))
	out := filepath.Join(filepath.Dir(in), "page."+ext)
	tool(t, py, "-c", "import sys; from PIL import Image; "+script, in, out)
	return readFile(t, out)
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
