package qrscan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"testing"

	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/testsupport/scantest"
)

// TestImageCodesOnCMYKJPEG: a CMYK JPEG written by a real encoder (Pillow,
// which writes Adobe's inverted CMYK with its APP14 marker) gives both codes:
// read as ink, not as its negative.
func TestImageCodesOnCMYKJPEG(t *testing.T) {
	jpg := scantest.CMYKJPEG(t, scantest.Tinted(scantest.Scanned(scantest.Page200(), 1.5, 6)))
	codes, err := Scanner{}.ImageCodes(context.Background(), jpg, document.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	assertCodes(t, codes, scantest.ExamToken, scantest.ResultToken)
}

// scannerPDF wraps scans into a PDF the way scanning software does, with
// img2pdf (a JPEG as is, DCTDecode; a PNG as Flate with a PNG predictor; a G4
// TIFF as CCITTFaxDecode), optionally rewritten by qpdf into object streams
// and a cross-reference stream (or with its other arguments).
func scannerPDF(t *testing.T, pages [][]byte, ext string, qpdf bool, qpdfArgs ...string) []byte {
	t.Helper()
	var args []string
	dir := t.TempDir()
	for i, p := range pages {
		args = append(args, writeFile(t, fmt.Sprintf("page%02d.%s", i, ext), p))
	}
	out := filepath.Join(dir, "scan.pdf")
	tool(t, "img2pdf", append(args, "--pagesize", "A4", "-o", out)...)
	if qpdf {
		rewritten := filepath.Join(dir, "qpdf.pdf")
		if qpdfArgs == nil {
			qpdfArgs = []string{"--object-streams=generate", "--compress-streams=y"}
		}
		tool(t, "qpdf", append(qpdfArgs, out, rewritten)...)
		out = rewritten
	}
	return readFile(t, out)
}

// pdfPages collects what PDFPageCodes gives each page.
func pdfPages(t *testing.T, pdf []byte, lim document.Limits, stopAt int) ([][]string, error) {
	t.Helper()
	var pages [][]string
	err := Scanner{}.PDFPageCodes(context.Background(), pdf, lim, func(codes []string) bool {
		pages = append(pages, codes)
		return len(pages) == stopAt
	})
	return pages, err
}

// TestPDFPageCodesOnScannerPDFs: the page image of a scanner-style PDF gives
// both codes, whatever the encoding img2pdf chose and after qpdf rewrote it.
func TestPDFPageCodesOnScannerPDFs(t *testing.T) {
	scan := scantest.Scanned(scantest.Page200(), 2, 7)
	jpg := encodeJPEG(t, scan, 70)
	png := encodePNG(t, scantest.Tinted(scan))
	tests := []struct {
		name   string
		pdf    func(t *testing.T) []byte
		filter string
	}{
		{"img2pdf of a JPEG", func(t *testing.T) []byte { return scannerPDF(t, [][]byte{jpg}, "jpg", false) }, "/DCTDecode"},
		{"img2pdf of a colour PNG", func(t *testing.T) []byte { return scannerPDF(t, [][]byte{png}, "png", false) }, "/Predictor 15"},
		{"img2pdf of a JPEG, rewritten by qpdf", func(t *testing.T) []byte { return scannerPDF(t, [][]byte{jpg}, "jpg", true) }, "/ObjStm"},
		{"img2pdf of a JPEG, encrypted by qpdf with an owner password only", func(t *testing.T) []byte {
			return scannerPDF(t, [][]byte{jpg}, "jpg", true, "--encrypt", "", "owner-secret", "256", "--")
		}, "/Encrypt"},
		{"img2pdf of a G4 TIFF", func(t *testing.T) []byte { return g4PDF(t, scan) }, "/CCITTFaxDecode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf := tt.pdf(t)
			if !bytes.Contains(pdf, []byte(tt.filter)) {
				t.Fatalf("the PDF has no %s: not the kind this case is about", tt.filter)
			}
			pages, err := pdfPages(t, pdf, document.DefaultLimits, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(pages) != 1 {
				t.Fatalf("%d pages visited, want 1", len(pages))
			}
			assertCodes(t, pages[0], scantest.ExamToken, scantest.ResultToken)
		})
	}
}

// g4PDF is a bilevel scan as a fax-compressed (CCITT G4) TIFF written by
// Pillow, wrapped by img2pdf, as a black-and-white office scanner makes it.
func g4PDF(t *testing.T, scan *image.Gray) []byte {
	tif := scantest.Pillow(t, scantest.Tinted(scan), "tif", "Image.open(sys.argv[1]).point(lambda v: 255 if v > 128 else 0).convert('1', dither=Image.Dither.NONE).save(sys.argv[2], compression='group4')")
	return scannerPDF(t, [][]byte{tif}, "tif", false)
}

// TestPDFWithUserPassword: a PDF that opens only with a password is
// unreadable (its pages cannot be decrypted without it).
func TestPDFWithUserPassword(t *testing.T) {
	pdf := scannerPDF(t, [][]byte{scantest.BlankScan()}, "jpg", true, "--encrypt", "user-secret", "owner-secret", "256", "--")
	_, err := pdfPages(t, pdf, document.DefaultLimits, 0)
	if !errors.Is(err, document.ErrUnreadable) {
		t.Fatalf("error %v, want ErrUnreadable", err)
	}
}
