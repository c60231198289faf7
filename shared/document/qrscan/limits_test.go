package qrscan

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"image"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/testsupport/pdfs"
	"github.com/zmed/exam-manager/shared/testsupport/scantest"
)

// pngBomb is a valid PNG that declares w × h grey pixels and carries a
// few rows of them: a decompression bomb of some 60 KB.
func pngBomb(t *testing.T, w, h uint32) []byte {
	t.Helper()
	return scantest.PNGBomb(w, h)
}

// handPDF writes a PDF of n pages, each showing the same image XObject
// that declares w × h grey pixels but whose data is not an image: a page of
// it that were decoded would be unreadable, so ErrTooLarge proves that
// nothing was decoded.
func handPDF(n, w, h int) []byte {
	return pdfs.ImagePages(n, w, h, "FlateDecode", []byte("not zlib"))
}

// allocatedBy is what f allocates on the Go heap, in bytes.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestBombsAreTooLargeBeforeDecoding: an image or a PDF beyond a pixel or
// page limit is ErrTooLarge, told from headers alone: what the check
// allocates is a small fraction of what decoding would.
func TestBombsAreTooLargeBeforeDecoding(t *testing.T) {
	noVisit := func(t *testing.T) func([]string) bool {
		return func([]string) bool { t.Error("a page was visited"); return false }
	}
	tests := []struct {
		name string
		scan func(t *testing.T) error
	}{
		{"PNG declaring 30,000 × 30,000", func(t *testing.T) error {
			bomb := pngBomb(t, 30_000, 30_000)
			if len(bomb) > 80<<10 {
				t.Fatalf("the bomb is %d bytes", len(bomb))
			}
			_, err := Scanner{}.ImageCodes(context.Background(), bomb, document.DefaultLimits)
			return err
		}},
		{"JPEG declaring 65,000 × 65,000", func(t *testing.T) error {
			_, err := Scanner{}.ImageCodes(context.Background(), scantest.JPEGDeclaring(65_000, 65_000), document.DefaultLimits)
			return err
		}},
		{"JPEG of 41 megapixels", func(t *testing.T) error {
			_, err := Scanner{}.ImageCodes(context.Background(), scantest.JPEGDeclaring(8200, 5000), document.DefaultLimits)
			return err
		}},
		{"PDF page image declaring 20,000 × 20,000", func(t *testing.T) error {
			return Scanner{}.PDFPageCodes(context.Background(), handPDF(1, 20_000, 20_000), document.DefaultLimits, noVisit(t))
		}},
		{"PDF of five 30-megapixel pages (150 in all)", func(t *testing.T) error {
			return Scanner{}.PDFPageCodes(context.Background(), handPDF(5, 6000, 5000), document.DefaultLimits, noVisit(t))
		}},
		{"PDF image of 10 × 10 whose JPEG declares 65,000 × 65,000", func(t *testing.T) error {
			pdf := pdfs.ImagePages(1, 10, 10, "DCTDecode", scantest.JPEGDeclaring(65_000, 65_000))
			return Scanner{}.PDFPageCodes(context.Background(), pdf, document.DefaultLimits, noVisit(t))
		}},
		{"PDF of 21 pages", func(t *testing.T) error {
			return Scanner{}.PDFPageCodes(context.Background(), handPDF(21, 10, 10), document.DefaultLimits, noVisit(t))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if alloc := allocatedBy(func() { err = tt.scan(t) }); alloc > 32<<20 {
				t.Errorf("allocated %d MB", alloc>>20)
			}
			if !errors.Is(err, document.ErrTooLarge) {
				t.Fatalf("error %v, want ErrTooLarge", err)
			}
		})
	}
}

// TestFlateBombInPDF: a page image of 1000 × 1000 whose data inflates to
// 32 MB is unreadable after at most its declared size was inflated.
func TestFlateBombInPDF(t *testing.T) {
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 32 {
		w.Write(zeros)
	}
	w.Close()
	pdf := pdfs.ImagePages(1, 1000, 1000, "FlateDecode", z.Bytes())
	var err error
	alloc := allocatedBy(func() {
		err = Scanner{}.PDFPageCodes(context.Background(), pdf, document.DefaultLimits, func([]string) bool { return false })
	})
	if !errors.Is(err, document.ErrUnreadable) {
		t.Fatalf("error %v, want ErrUnreadable", err)
	}
	if alloc > 32<<20 {
		t.Errorf("allocated %d MB", alloc>>20)
	}
}

// TestWithinLimitsIsDecoded: the hand-made PDF within the limits reaches its
// (unreadable) image data; the limit tests above rely on that.
func TestWithinLimitsIsDecoded(t *testing.T) {
	err := Scanner{}.PDFPageCodes(context.Background(), handPDF(20, 100, 100), document.DefaultLimits, func([]string) bool { return false })
	if !errors.Is(err, document.ErrUnreadable) {
		t.Fatalf("error %v, want ErrUnreadable", err)
	}
}

// TestUnreadable: bytes of a known type that do not parse, and a decoder's
// panic, are ErrUnreadable.
func TestUnreadable(t *testing.T) {
	jpg := encodeJPEG(t, image.NewGray(image.Rect(0, 0, 64, 64)), 75)
	png := encodePNG(t, image.NewGray(image.Rect(0, 0, 64, 64)))
	noise := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	images := map[string][]byte{
		"empty":                      {},
		"neither PNG nor JPEG":       noise,
		"JPEG cut after its headers": jpg[:len(jpg)/2],
		"PNG cut in its data":        png[:len(png)-20],
		"JPEG of 0 × 0":              scantest.JPEGDeclaring(0, 0),
	}
	for name, b := range images {
		t.Run(name, func(t *testing.T) {
			if _, err := (Scanner{}).ImageCodes(context.Background(), b, document.DefaultLimits); !errors.Is(err, document.ErrUnreadable) {
				t.Fatalf("error %v, want ErrUnreadable", err)
			}
		})
	}
	pdfs := map[string][]byte{
		"PDF header and noise": append([]byte("%PDF-1.7\n"), noise...),
		"PDF cut in half":      handPDF(1, 10, 10)[:200],
	}
	for name, b := range pdfs {
		t.Run(name, func(t *testing.T) {
			err := Scanner{}.PDFPageCodes(context.Background(), b, document.DefaultLimits, func([]string) bool { return false })
			if !errors.Is(err, document.ErrUnreadable) {
				t.Fatalf("error %v, want ErrUnreadable", err)
			}
		})
	}
	t.Run("a decoder's panic", func(t *testing.T) {
		err := func() (err error) {
			defer recoverUnreadable(&err)
			panic("index out of range in a decoder")
		}()
		if !errors.Is(err, document.ErrUnreadable) {
			t.Fatalf("error %v, want ErrUnreadable", err)
		}
	})
}

// TestBudgetSpent: a done context (the time budget spent) stops the scan,
// as ErrTooLarge that also says why.
func TestBudgetSpent(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Scanner{}.ImageCodes(ctx, encodePNG(t, image.NewGray(image.Rect(0, 0, 64, 64))), document.DefaultLimits)
	if !errors.Is(err, document.ErrTooLarge) || !errors.Is(err, context.Canceled) {
		t.Fatalf("image: error %v, want ErrTooLarge and context.Canceled", err)
	}
	err = Scanner{}.PDFPageCodes(ctx, handPDF(1, 10, 10), document.DefaultLimits, func([]string) bool { return false })
	if !errors.Is(err, document.ErrTooLarge) || !errors.Is(err, context.Canceled) {
		t.Fatalf("PDF: error %v, want ErrTooLarge and context.Canceled", err)
	}
}
