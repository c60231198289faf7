// Package pdfinfo reads what process-result needs of a PDF without decoding a
// page: the two tokens of its document information dictionary and its page
// count. It reads with github.com/pdfcpu/pdfcpu, which follows the newest
// trailer (so the last incremental update wins), cross-reference streams and
// object streams, and decrypts a document whose user password is empty.
package pdfinfo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/zmed/exam-manager/shared/document"
)

// The information dictionary's entries that carry the tokens.
const (
	ExamTokenEntry   = "ZMEDExamToken"
	ResultTokenEntry = "ZMEDResultToken"
)

// maxTokenLen bounds an entry's value: a token is a few hundred characters;
// anything longer is not one.
const maxTokenLen = 4096

// Info is what a PDF says of itself: the tokens of its information
// dictionary ("" when absent) and its number of pages.
type Info struct {
	ExamToken, ResultToken string
	Pages                  int
}

// Reader reads the Info of a PDF (document.InfoReader).
type Reader struct{}

var _ document.InfoReader = Reader{}

// configuration is pdfcpu's built-in configuration: it never touches the
// configuration directory (Lambda's home is read-only).
var configuration = sync.OnceValues(func() (*model.Configuration, error) {
	return api.LoadConfiguration(api.ConfigurationOptions{Mode: api.ConfigurationModeStateless})
})

// Tokens returns the tokens of pdf's information dictionary, and its page
// count. A PDF that cannot be parsed is document.ErrUnreadable; ctx ending
// first is document.ErrTooLarge (the time budget).
func (Reader) Tokens(ctx context.Context, pdf []byte) (document.Tokens, int, error) {
	info, err := Read(ctx, pdf)
	return document.Tokens{Exam: info.ExamToken, Result: info.ResultToken}, info.Pages, err
}

// Read reads pdf's Info. It never panics: a panic in the parser is
// document.ErrUnreadable.
func Read(ctx context.Context, pdf []byte) (info Info, err error) {
	defer func() {
		if recover() != nil {
			info, err = Info{}, fmt.Errorf("%w: the pdf parser failed", document.ErrUnreadable)
		}
	}()
	conf, err := configuration()
	if err != nil {
		return Info{}, fmt.Errorf("pdf configuration: %w", err)
	}
	conf = conf.Clone()
	conf.UserPW, conf.OwnerPW = "", "" // an owner password alone still lets anyone read
	pc, err := api.ReadContext(ctx, bytes.NewReader(pdf), conf)
	if err != nil {
		return Info{}, problem(ctx, err)
	}
	if err := pc.EnsurePageCount(); err != nil {
		return Info{}, problem(ctx, err)
	}
	info.Pages = pc.PageCount
	if pc.Info == nil {
		return info, nil
	}
	dict, err := pc.DereferenceDict(*pc.Info)
	if err != nil {
		return Info{}, problem(ctx, err)
	}
	info.ExamToken = entry(pc, dict, ExamTokenEntry)
	info.ResultToken = entry(pc, dict, ResultTokenEntry)
	return info, nil
}

// entry is the text of a string entry of dict, literal or hex, or "".
func entry(pc *model.Context, dict types.Dict, name string) string {
	o, err := pc.Dereference(dict[name])
	if err != nil || o == nil {
		return ""
	}
	var s string
	switch v := o.(type) {
	case types.StringLiteral:
		s, err = types.StringLiteralToString(v)
	case types.HexLiteral:
		s, err = types.HexLiteralToString(v)
	default:
		return ""
	}
	s = strings.TrimSpace(s)
	if err != nil || len(s) > maxTokenLen {
		return ""
	}
	return s
}

// problem is a parse error as the caller sees it: the budget ran out, or the
// document is unreadable.
func problem(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w: reading the pdf ran out of time", document.ErrTooLarge)
	}
	_ = err // its text may quote the document: not carried into logs
	return fmt.Errorf("%w: the pdf cannot be parsed", document.ErrUnreadable)
}
