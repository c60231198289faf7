package qrscan

import (
	"slices"
	"testing"

	"github.com/zmed/exam-manager/shared/testsupport/scantest"
)

func TestEXIFOrientation(t *testing.T) {
	jpg := []byte{0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x02, 0xFF, 0xDA, 0x00, 0x02}
	for o := range uint16(9) {
		want := int(o)
		if o == 0 {
			want = 1 // not a valid orientation: upright
		}
		if got := exifOrientation(scantest.WithEXIFOrientation(jpg, o)); got != want {
			t.Errorf("orientation %d read as %d", o, got)
		}
	}
	truncated := scantest.WithEXIFOrientation(jpg, 6)[:20]
	for name, b := range map[string][]byte{"no EXIF": jpg, "truncated": truncated, "SOI only": jpg[:2]} {
		if got := exifOrientation(b); got != 1 {
			t.Errorf("%s: orientation %d, want 1", name, got)
		}
	}
}

// TestOrient: each EXIF orientation's transform puts the stored pixels
// upright. The raster a b c / d e f stored as each orientation stores it.
func TestOrient(t *testing.T) {
	upright := &gray{w: 3, h: 2, pix: []byte("abcdef")}
	stored := map[int]*gray{
		1: upright,
		2: {w: 3, h: 2, pix: []byte("cbafed")},
		3: {w: 3, h: 2, pix: []byte("fedcba")},
		4: {w: 3, h: 2, pix: []byte("defabc")},
		5: {w: 2, h: 3, pix: []byte("adbecf")},
		6: {w: 2, h: 3, pix: []byte("cfbead")},
		7: {w: 2, h: 3, pix: []byte("fcebda")},
		8: {w: 2, h: 3, pix: []byte("daebfc")},
	}
	for o, g := range stored {
		got := g.orient(o)
		if got.w != 3 || got.h != 2 || !slices.Equal(got.pix, upright.pix) {
			t.Errorf("orientation %d: %dx%d %q, want 3x2 %q", o, got.w, got.h, got.pix, upright.pix)
		}
	}
}
