package document

import (
	"context"
	"errors"
	"fmt"

	"github.com/zmed/exam-manager/shared/exam"
)

// ErrNoTokens: the document has nowhere to look (bytes of no known type) or
// carries no pair of tokens where it was looked at.
var ErrNoTokens = errors.New("document carries no tokens")

// Tokens are the two tokens a document carries; "" for one not found.
type Tokens struct{ Exam, Result string }

// Both says whether both tokens were found.
func (t Tokens) Both() bool { return t.Exam != "" && t.Result != "" }

// InfoReader reads a PDF's information dictionary (pdfinfo.Reader): its
// tokens and its page count, without decoding a page. Errors are
// ErrUnreadable or ErrTooLarge.
type InfoReader interface {
	Tokens(ctx context.Context, pdf []byte) (Tokens, int, error)
}

// maxCodeLen bounds a QR code tried as a token: a token is a few hundred
// characters, a QR code holds up to about 3 KB.
const maxCodeLen = 4096

// Finder finds the tokens inside a result document, in this order: a PDF's
// information dictionary, then the QR codes printed on the document (a PNG or
// JPEG image, or a PDF's pages, page by page). It stops at the first source,
// or page, that yields both.
type Finder struct {
	Info   InfoReader
	Codes  CodeScanner // nil: only the information dictionary is read
	Tokens exam.TokenVerifier
	Limits Limits
}

// Find returns the tokens body carries. Every QR code found is tried as an
// exam token (JWT or label code) and as a result token, by signature alone;
// the pair returned names one exam when the document holds such a pair. It
// fails with ErrTooLarge (beyond a limit, or the time budget spent),
// ErrUnreadable (a PDF, PNG or JPEG that cannot be parsed) or ErrNoTokens,
// or, when ctx itself ends first, with its error (transient). It never panics.
func (f Finder) Find(ctx context.Context, body []byte) (t Tokens, err error) {
	if int64(len(body)) > f.Limits.MaxBytes {
		return Tokens{}, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, f.Limits.MaxBytes)
	}
	parent := ctx
	if f.Limits.Budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.Limits.Budget)
		defer cancel()
	}
	defer func() {
		if recover() != nil {
			t, err = Tokens{}, fmt.Errorf("%w: a decoder failed", ErrUnreadable)
		}
	}()
	t, err = f.find(ctx, body)
	switch {
	case err == nil && t.Both():
		return t, nil
	case parent.Err() != nil:
		// The invocation's own deadline, not the document's budget: transient.
		return Tokens{}, fmt.Errorf("reading the document stopped: %w", parent.Err())
	case err == nil:
		return Tokens{}, ErrNoTokens
	case errors.Is(err, ErrTooLarge) || errors.Is(err, ErrUnreadable):
		return Tokens{}, err
	case ctx.Err() != nil:
		return Tokens{}, fmt.Errorf("%w: the time budget of %s is spent", ErrTooLarge, f.Limits.Budget)
	}
	// A reader's error of no documented kind: the document, read again, would
	// fail again.
	return Tokens{}, fmt.Errorf("%w: %w", ErrUnreadable, err)
}

func (f Finder) find(ctx context.Context, body []byte) (Tokens, error) {
	switch Sniff(body) {
	case PDF:
		t, pages, err := f.Info.Tokens(ctx, body)
		if err != nil || t.Both() || f.Codes == nil {
			return t, err
		}
		if pages > f.Limits.MaxPages {
			return Tokens{}, fmt.Errorf("%w: %d pages, more than %d", ErrTooLarge, pages, f.Limits.MaxPages)
		}
		p := pairing{tokens: f.Tokens, dict: t}
		err = f.Codes.PDFPageCodes(ctx, body, f.Limits, func(codes []string) bool {
			p.add(codes)
			_, matched := p.pair()
			return matched
		})
		t, _ = p.pair()
		return t, err
	case PNG, JPEG:
		if f.Codes == nil {
			return Tokens{}, nil
		}
		codes, err := f.Codes.ImageCodes(ctx, body, f.Limits)
		p := pairing{tokens: f.Tokens}
		p.add(codes)
		t, _ := p.pair()
		return t, err
	}
	return Tokens{}, nil
}
