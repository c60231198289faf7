package qrscan

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	"github.com/zmed/exam-manager/shared/document"
)

var (
	pngSignature = []byte("\x89PNG\r\n\x1a\n")
	jpegSOI      = []byte{0xFF, 0xD8, 0xFF}
)

// decodeImage decodes a PNG or JPEG into the luminance the QR reader needs,
// upright by the photo's EXIF orientation. Its size is read from the header
// first: beyond the pixel limits nothing is decoded.
func decodeImage(b []byte, lim document.Limits) (*gray, error) {
	var (
		config func([]byte) (image.Config, error)
		decode func([]byte) (image.Image, error)
	)
	switch {
	case bytes.HasPrefix(b, pngSignature):
		config = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
	case bytes.HasPrefix(b, jpegSOI):
		config = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
	default:
		return nil, fmt.Errorf("%w: neither PNG nor JPEG", document.ErrUnreadable)
	}
	cfg, err := config(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", document.ErrUnreadable, err)
	}
	if err := checkPixels(cfg.Width, cfg.Height, 0, lim); err != nil {
		return nil, err
	}
	img, err := decode(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", document.ErrUnreadable, err)
	}
	g := luminance(img)
	if bytes.HasPrefix(b, jpegSOI) {
		g = g.orient(exifOrientation(b))
	}
	return g, nil
}

// checkPixels refuses an image of w × h pixels beyond the limit of one
// image, or beyond the limit of all when added to the spent ones.
func checkPixels(w, h int, spent int64, lim document.Limits) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: an image of %d × %d pixels", document.ErrUnreadable, w, h)
	}
	if int64(w) > lim.MaxImagePixels || int64(h) > lim.MaxImagePixels {
		return fmt.Errorf("%w: an image of %d × %d pixels", document.ErrTooLarge, w, h)
	}
	px := int64(w) * int64(h)
	if px > lim.MaxImagePixels || spent+px > lim.MaxTotalPixels {
		return fmt.Errorf("%w: an image of %d × %d pixels", document.ErrTooLarge, w, h)
	}
	return nil
}
