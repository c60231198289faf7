package scantest

import (
	"context"

	"github.com/zmed/exam-manager/shared/document"
)

// Unhurried is scanner without the time budget: what it is handed runs
// to its end whatever the context's deadline. The end-to-end tests read
// heavy pages (600 dpi) under the race detector on a shared machine, where
// the budget, meant for a Lambda's own cores, could run out and file a
// readable page as too large; the budget itself is tested on the scanner.
func Unhurried(scanner document.CodeScanner) document.CodeScanner {
	return unhurried{scanner}
}

type unhurried struct{ scanner document.CodeScanner }

func (u unhurried) ImageCodes(ctx context.Context, image []byte, lim document.Limits) ([]string, error) {
	return u.scanner.ImageCodes(context.WithoutCancel(ctx), image, lim)
}

func (u unhurried) PDFPageCodes(ctx context.Context, pdf []byte, lim document.Limits, visit func([]string) bool) error {
	return u.scanner.PDFPageCodes(context.WithoutCancel(ctx), pdf, lim, visit)
}
