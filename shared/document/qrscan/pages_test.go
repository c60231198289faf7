package qrscan

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/testsupport/scantest"
)

// TestPDFPageCodesPageByPage: a 20-page scan whose codes are on its last
// page gives them there, each page visited once in order; the scan stops at
// the first page for which visit returns true.
func TestPDFPageCodesPageByPage(t *testing.T) {
	scan := encodeJPEG(t, scantest.Scanned(scantest.Page200(), -1, 8), 70)
	blank := scantest.BlankScan()
	t.Run("codes on page 20 of 20", func(t *testing.T) {
		pages := make([][]byte, 20)
		for i := range 19 {
			pages[i] = blank
		}
		pages[19] = scan
		visited, err := pdfPages(t, scannerPDF(t, pages, "jpg", false), document.DefaultLimits, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(visited) != 20 {
			t.Fatalf("%d pages visited, want 20", len(visited))
		}
		for i, codes := range visited[:19] {
			if len(codes) != 0 {
				t.Fatalf("page %d: codes %q", i+1, codes)
			}
		}
		assertCodes(t, visited[19], scantest.ExamToken, scantest.ResultToken)
	})
	t.Run("stops at the first page visit accepts", func(t *testing.T) {
		visited, err := pdfPages(t, scannerPDF(t, [][]byte{scan, blank, scan}, "jpg", true), document.DefaultLimits, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(visited) != 1 {
			t.Fatalf("%d pages visited, want 1", len(visited))
		}
		assertCodes(t, visited[0], scantest.ExamToken, scantest.ResultToken)
	})
}

// TestImageCodes600DPIColour: a colour A4 page scanned at 600 dpi (35
// megapixels, within the 40 of one image) gives both codes; it is averaged
// down before the reader sees it. The heaviest case of the suite, made once:
// Pillow enlarges the 200 dpi scan three times and writes the colour JPEG
// (in C: Go's encoder takes half a minute for it under the race detector).
func TestImageCodes600DPIColour(t *testing.T) {
	jpg := scantest.Colour600(t, scantest.Tinted(scantest.Scanned(scantest.Page200(), 1, 9)))
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(jpg))
	if err != nil || cfg.ColorModel != color.YCbCrModel || cfg.Width*cfg.Height < 34_000_000 {
		t.Fatalf("not a 600 dpi colour page: %+v, %v", cfg, err)
	}
	var codes []string
	alloc := allocatedBy(func() { codes, err = Scanner{}.ImageCodes(context.Background(), jpg, document.DefaultLimits) })
	if err != nil {
		t.Fatal(err)
	}
	assertCodes(t, codes, scantest.ExamToken, scantest.ResultToken)
	t.Logf("600 dpi colour A4, %d × %d (%d KB JPEG): %d MB allocated", cfg.Width, cfg.Height, len(jpg)>>10, alloc>>20)
}

// TestImageCodesOddContent: a QR code holding 3 KB of garbage is just a
// code; a page without any gives none, and no error.
func TestImageCodesOddContent(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	const alphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	var garbage strings.Builder
	for range 3000 {
		garbage.WriteByte(alphanumeric[rng.IntN(len(alphanumeric))])
	}
	m := scantest.QRModules(garbage.String(), "L")
	const module, margin = 4, 24
	size := m.GetWidth()*module + 2*margin
	img := image.NewGray(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			mx, my := (x-margin)/module, (y-margin)/module
			if x < margin || y < margin || mx >= m.GetWidth() || my >= m.GetHeight() || !m.Get(mx, my) {
				img.Pix[y*size+x] = 255
			}
		}
	}
	codes, err := Scanner{}.ImageCodes(context.Background(), encodePNG(t, img), document.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	assertCodes(t, codes, garbage.String())

	codes, err = Scanner{}.ImageCodes(context.Background(), encodeJPEG(t, scantest.RenderPage(200, nil), 70), document.DefaultLimits)
	if err != nil || len(codes) != 0 {
		t.Fatalf("a page without codes: %q, %v", codes, err)
	}
}
