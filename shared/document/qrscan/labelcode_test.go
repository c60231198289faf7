package qrscan

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"slices"
	"testing"

	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/testsupport/scantest"
)

// TestLabelCodeBesideAResultToken: a label code's QR code (version 3, large
// modules) printed beside a result token's (version 15, small modules) is
// read on a 300 dpi scan too, straight, tilted or upside down. The reader's
// finder-pattern search missed the larger code at 300 dpi (both codes were
// read at 200 and mostly at 600).
func TestLabelCodeBesideAResultToken(t *testing.T) {
	const label = "Z1031FHR8JJE7X409J28B9D7SXQQ6CBAV0PMEVWPXK0HWWSC"
	page := scantest.RenderPage(300, scantest.Codes(label, scantest.ResultToken))
	for _, degrees := range []float64{0, 1, 181} {
		t.Run(fmt.Sprintf("%v°", degrees), func(t *testing.T) {
			var scan bytes.Buffer
			if err := jpeg.Encode(&scan, scantest.Scanned(scantest.Foot(page, 300), degrees, 1), &jpeg.Options{Quality: 75}); err != nil {
				t.Fatal(err)
			}
			codes, err := Scanner{}.ImageCodes(context.Background(), scan.Bytes(), document.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(codes, label) || !slices.Contains(codes, scantest.ResultToken) {
				t.Fatalf("found %d codes, want the label code and the result token", len(codes))
			}
		})
	}
}
