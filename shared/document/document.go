// Package document finds the tokens a result document carries inside itself:
// a PDF's information dictionary, or QR codes printed on its pages or in an
// image. It imports no AWS package; the results bucket's adapter hands it the
// bytes only when the object's metadata lacks the tokens.
//
// Every limit is checked before anything is decoded, from headers alone, so
// that a decompression bomb costs nothing: beyond one, the document is
// ErrTooLarge (filed as document_too_large, never retried).
package document

import (
	"context"
	"errors"
	"time"
)

// Limits bound what reading one document may cost.
type Limits struct {
	MaxBytes       int64         // the object's size
	MaxPages       int           // pages of a PDF
	MaxImagePixels int64         // pixels of one image, read from its header
	MaxTotalPixels int64         // pixels of every image of the document together
	Budget         time.Duration // wall time for reading one document
}

// DefaultLimits are the limits process-result applies.
var DefaultLimits = Limits{
	MaxBytes:       50 << 20,
	MaxPages:       20,
	MaxImagePixels: 40_000_000,
	MaxTotalPixels: 120_000_000,
	Budget:         20 * time.Second,
}

var (
	// ErrTooLarge: the document is beyond a limit (size, pages, pixels or
	// time); nothing past the limit was decoded. Permanent.
	ErrTooLarge = errors.New("document beyond the limits")
	// ErrUnreadable: the bytes are of a known type (PDF, PNG, JPEG) but cannot
	// be parsed.
	ErrUnreadable = errors.New("document cannot be read")
)

// CodeScanner finds the QR codes printed on a document, page by page.
// Implementations check the limits before decoding and stop when visit
// returns true (the page yielded both tokens) or ctx is done.
type CodeScanner interface {
	// ImageCodes returns the codes found in one PNG or JPEG image.
	ImageCodes(ctx context.Context, image []byte, lim Limits) ([]string, error)
	// PDFPageCodes calls visit with the codes found on each page's images,
	// in page order, until visit returns true.
	PDFPageCodes(ctx context.Context, pdf []byte, lim Limits, visit func(codes []string) (stop bool)) error
}
