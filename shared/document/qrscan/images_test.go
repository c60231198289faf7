package qrscan

import (
	"context"
	"image"
	"slices"
	"testing"

	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/testsupport/scantest"
)

// TestImageCodesOnRealScans: both codes are found on the scans a clinic gets:
// a page upside down and tilted, with speckle and JPEG loss; a page turned a
// quarter; a colour PNG; a phone photo stored turned, with its EXIF
// orientation.
func TestImageCodesOnRealScans(t *testing.T) {
	tests := []struct {
		name  string
		image func(t *testing.T) []byte
	}{
		{"JPEG q65 upside down and 3° off, speckled", func(t *testing.T) []byte {
			return encodeJPEG(t, scantest.Scanned(scantest.Page200(), 183, 1), 65)
		}},
		{"JPEG q60 turned a quarter and 5° back", func(t *testing.T) []byte {
			return encodeJPEG(t, scantest.Scanned(scantest.Page200(), 85, 2), 60)
		}},
		{"PNG, 2° off", func(t *testing.T) []byte {
			return encodePNG(t, scantest.Scanned(scantest.Page200(), -2, 3))
		}},
		{"phone photo stored turned, EXIF orientation 6", func(t *testing.T) []byte {
			// The camera stores the sensor's pixels (the page turned a
			// quarter counter-clockwise) and tags 6: turn clockwise to show.
			return scantest.WithEXIFOrientation(encodeJPEG(t, scantest.Tinted(scantest.Scanned(scantest.Page200(), -90, 4)), 80), 6)
		}},
		{"front camera photo stored mirrored, EXIF orientation 5", func(t *testing.T) []byte {
			// Stored transposed (mirrored and turned): a QR code read as
			// stored is a mirror image, which no reader decodes.
			return scantest.WithEXIFOrientation(encodeJPEG(t, scantest.Tinted(scantest.Transposed(scantest.Scanned(scantest.Page200(), 1, 5))), 80), 5)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			codes, err := Scanner{}.ImageCodes(context.Background(), tt.image(t), document.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			assertCodes(t, codes, scantest.ExamToken, scantest.ResultToken)
		})
	}
}

// assertCodes fails unless codes are exactly want, in any order.
func assertCodes(t *testing.T, codes []string, want ...string) {
	t.Helper()
	got := slices.Clone(codes)
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("codes %q, want %q", got, want)
	}
}

var _ = image.Point{}
