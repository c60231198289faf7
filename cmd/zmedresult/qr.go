package main

import (
	"image/png"
	"io"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// writeQR writes text as a QR code in PNG, px pixels a side (quiet zone
// included), at correction level M: what the laboratory's report template
// prints, so that process-result finds the result token on a scan.
func writeQR(w io.Writer, text string, px int) error {
	hints := map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_ERROR_CORRECTION: "M", gozxing.EncodeHintType_MARGIN: 4}
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, px, px, hints)
	if err != nil {
		return err
	}
	return png.Encode(w, m)
}
