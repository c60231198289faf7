package qrscan

import (
	"context"
	"errors"
	"image"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/testsupport/scantest"
)

// fuzzLimits keep each input's decode small: the fuzzer looks for crashes
// and hangs in the parsers, not for big pages.
var fuzzLimits = document.Limits{MaxBytes: 1 << 20, MaxPages: 4, MaxImagePixels: 1 << 20, MaxTotalPixels: 2 << 20, Budget: 5 * time.Second}

// wantOutcome fails unless err is nil, ErrTooLarge or ErrUnreadable.
func wantOutcome(t *testing.T, err error) {
	if err != nil && !errors.Is(err, document.ErrTooLarge) && !errors.Is(err, document.ErrUnreadable) {
		t.Fatalf("error %v is neither ErrTooLarge nor ErrUnreadable", err)
	}
}

// FuzzImageCodes: any bytes as an image give codes or one of the two
// problems, never a panic, within the limits.
func FuzzImageCodes(f *testing.F) {
	small := image.NewGray(image.Rect(0, 0, 40, 40))
	f.Add(encodeJPEG(f, small, 60))
	f.Add(encodePNG(f, small))
	f.Add(scantest.WithEXIFOrientation(encodeJPEG(f, small, 60), 6))
	f.Add(scantest.JPEGDeclaring(65_000, 65_000))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 64<<10 {
			return
		}
		codes, err := Scanner{}.ImageCodes(context.Background(), b, fuzzLimits)
		wantOutcome(t, err)
		if err != nil && codes != nil {
			t.Fatalf("codes %q with error %v", codes, err)
		}
	})
}

// FuzzPDFPageCodes: any bytes as a PDF give pages of codes or one of the
// two problems, never a panic, never more pages than the limit.
func FuzzPDFPageCodes(f *testing.F) {
	f.Add(handPDF(1, 10, 10))
	f.Add(handPDF(2, 2000, 2000))
	f.Add([]byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 1 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R /Prev 0 >>\n%%EOF\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 64<<10 {
			return
		}
		pages := 0
		err := Scanner{}.PDFPageCodes(context.Background(), b, fuzzLimits, func([]string) bool {
			pages++
			return false
		})
		wantOutcome(t, err)
		if pages > fuzzLimits.MaxPages {
			t.Fatalf("%d pages visited", pages)
		}
	})
}
