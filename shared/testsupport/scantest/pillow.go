package scantest

import (
	"bytes"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Pillow has Pillow, through the Python that runs img2pdf (Debian's img2pdf
// depends on python3-pil), turn img, handed over as a PPM, into the file ext
// by script, which opens sys.argv[1] and saves sys.argv[2]; it returns the
// file's bytes. It is the real encoder of the fixtures Go's image packages
// cannot write (a CMYK JPEG, a G4 TIFF) or write too slowly under the race
// detector (a 600 dpi colour page). Without img2pdf the test is skipped.
func Pillow(t testing.TB, img *image.RGBA, ext, script string) []byte {
	t.Helper()
	p, err := exec.LookPath("img2pdf")
	if err != nil {
		t.Skip("img2pdf not found; `make pdftools` installs it (img2pdf, qpdf)")
	}
	b, err := os.ReadFile(p)
	if err != nil || !bytes.HasPrefix(b, []byte("#!")) {
		t.Fatalf("img2pdf at %s is not a Python script", p)
	}
	py := strings.Fields(string(b[2:bytes.IndexByte(b, '\n')]))[0]
	dir := t.TempDir()
	in, out := filepath.Join(dir, "page.ppm"), filepath.Join(dir, "page."+ext)
	if err := os.WriteFile(in, PPM(img), 0o600); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(py, "-c", "import sys; from PIL import Image; "+script, in, out).CombinedOutput(); err != nil {
		t.Fatalf("Pillow %q: %v\n%s", script, err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// CMYKJPEG is img as a CMYK JPEG written by Pillow: Adobe's inverted CMYK,
// with its APP14 marker, as a prepress tool or some scanners save it.
func CMYKJPEG(t testing.TB, img *image.RGBA) []byte {
	t.Helper()
	jpg := Pillow(t, img, "jpg", "Image.open(sys.argv[1]).convert('CMYK').save(sys.argv[2], quality=75)")
	if !bytes.Contains(jpg[:min(len(jpg), 200)], []byte("Adobe")) {
		t.Fatal("Pillow wrote no Adobe marker: not a CMYK JPEG")
	}
	return jpg
}

// Colour600 is a 200 dpi page enlarged three times, as a colour JPEG of 600
// dpi (35 megapixels for A4), written by Pillow (in C: Go's encoder takes
// half a minute for it under the race detector).
func Colour600(t testing.TB, page200 *image.RGBA) []byte {
	t.Helper()
	return Pillow(t, page200, "jpg", "i = Image.open(sys.argv[1]); i.resize((i.width*3, i.height*3), Image.Resampling.BILINEAR).save(sys.argv[2], quality=75, dpi=(600, 600))")
}
