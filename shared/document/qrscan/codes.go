package qrscan

import (
	"context"
	"fmt"
	"slices"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"

	"github.com/zmed/exam-manager/shared/document"
)

var tryHarder = map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}

// findCodes returns the distinct QR codes on a page. The reader finds codes
// in any orientation; when it finds fewer than the two a result carries, it
// reads the page again averaged down by half (its finder-pattern search
// misses a code whose modules are much larger than another's on the page,
// as a label code's are beside a result token's), then turned a quarter (the
// search runs along rows, so the turn gives it the columns).
func findCodes(ctx context.Context, g *gray) ([]string, error) {
	var codes []string
	passes := []func(*gray) *gray{
		func(g *gray) *gray { return g },
		func(g *gray) *gray { return averagedPlane(g.pix, g.w, g.w, g.h, 2) },
		(*gray).rotated,
	}
	for _, pass := range passes {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%w: %w", document.ErrTooLarge, err)
		}
		found, err := readQR(pass(g))
		if err != nil {
			return nil, err
		}
		for _, c := range found {
			if !slices.Contains(codes, c) {
				codes = append(codes, c)
			}
		}
		if len(codes) >= 2 {
			break
		}
	}
	return codes, nil
}

// readQR runs gozxing's multi-QR reader, trying harder, over the raster.
func readQR(g *gray) ([]string, error) {
	src, err := gozxing.NewPlanarYUVLuminanceSource(g.pix, g.w, g.h, 0, 0, g.w, g.h, false)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", document.ErrUnreadable, err)
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", document.ErrUnreadable, err)
	}
	results, err := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, tryHarder)
	if err != nil {
		// Nothing found, or a code seen but not read (checksum, format):
		// no code, not an unreadable document.
		return nil, nil
	}
	codes := make([]string, 0, len(results))
	for _, r := range results {
		codes = append(codes, r.GetText())
	}
	return codes, nil
}
