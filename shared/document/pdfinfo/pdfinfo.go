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
	"regexp"
	"strconv"
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

// MaxObjects bounds the objects a PDF may declare before it is parsed: the
// parser keeps every object in memory (measured: some 370 bytes each, so 2
// million tiny objects took 1.4 GB), while a scanned or born-digital result
// has hundreds or a few thousand. Beyond it the document is
// document.ErrTooLarge.
const MaxObjects = 100_000

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

// Configuration is a copy of the pdfcpu configuration every reader of
// result PDFs uses (the QR scanner's page images included): built in, with
// no configuration directory, and the empty user password, so that a PDF
// with only an owner password is decrypted.
func Configuration() (*model.Configuration, error) {
	conf, err := configuration()
	if err != nil {
		return nil, err
	}
	conf = conf.Clone()
	conf.UserPW, conf.OwnerPW = "", ""
	return conf, nil
}

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
	if tooManyObjects(pdf) {
		return Info{}, fmt.Errorf("%w: more than %d objects", document.ErrTooLarge, MaxObjects)
	}
	conf, err := Configuration()
	if err != nil {
		return Info{}, fmt.Errorf("pdf configuration: %w", err)
	}
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

// sizeEntry is a /Size entry: the object count a trailer or a
// cross-reference stream declares.
var sizeEntry = regexp.MustCompile(`/Size\s*(\d{1,12})`)

// tooManyObjects tells, from the raw bytes and before any parsing, whether
// pdf may hold more than MaxObjects objects: by its "obj" keywords (two for
// each object written out), by its cross-reference table lines (" n" and
// " f" entries, and stray occurrences, which only overcount), and by the
// /Size its trailers and cross-reference streams declare (objects packed in
// compressed object streams are counted there).
func tooManyObjects(pdf []byte) bool {
	if bytes.Count(pdf, []byte("obj")) > 2*MaxObjects ||
		bytes.Count(pdf, []byte(" n"))+bytes.Count(pdf, []byte(" f")) > 2*MaxObjects {
		return true
	}
	for _, m := range sizeEntry.FindAllSubmatch(pdf, -1) {
		if n, err := strconv.ParseInt(string(m[1]), 10, 64); err != nil || n > MaxObjects {
			return true
		}
	}
	return false
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
