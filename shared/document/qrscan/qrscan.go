// Package qrscan finds the QR codes printed on a result document: in a PNG or
// JPEG image (a scan or a phone photo) and in the page images of a PDF (what a
// scanner writes: one JPEG, Flate or CCITT G4 image per page). It implements
// document.CodeScanner with gozxing's multi-QR reader.
//
// Every pixel limit is checked from headers before a pixel is decoded, and a
// panic in a third-party decoder is recovered here and becomes
// document.ErrUnreadable.
package qrscan

import (
	"context"
	"fmt"

	"github.com/zmed/exam-manager/shared/document"
)

// Scanner is the document.CodeScanner of process-result. The zero value is
// ready to use.
type Scanner struct{}

var _ document.CodeScanner = Scanner{}

// ImageCodes returns the QR codes found in one PNG or JPEG image.
func (Scanner) ImageCodes(ctx context.Context, img []byte, lim document.Limits) (codes []string, err error) {
	defer recoverUnreadable(&err)
	g, err := decodeImage(img, lim)
	if err != nil {
		return nil, err
	}
	return findCodes(ctx, g)
}

// PDFPageCodes calls visit with the QR codes found on each page's images, in
// page order, until visit returns true or ctx is done.
func (Scanner) PDFPageCodes(ctx context.Context, pdf []byte, lim document.Limits, visit func(codes []string) (stop bool)) (err error) {
	defer recoverUnreadable(&err)
	return scanPDF(ctx, pdf, lim, visit)
}

// recoverUnreadable turns a decoder's panic into ErrUnreadable: the bytes come
// from outside, and the next result must be processed normally.
func recoverUnreadable(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: decoder panicked", document.ErrUnreadable)
	}
}
