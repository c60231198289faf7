package document_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/document/pdfinfo"
)

// FuzzFind: any bytes, with any QR codes on their pages (one page a line,
// codes separated by spaces), end without a panic as ErrNoTokens,
// ErrUnreadable or ErrTooLarge, or as two tokens whose signatures verify
// (every code was tried as both kinds; a code never becomes a token it is not).
func FuzzFind(f *testing.F) {
	a := tokensFor(f, "exam-a")
	f.Add([]byte("%PDF-1.4\n"), a.Exam+" "+a.Result)
	f.Add([]byte("\x89PNG\r\n\x1a\n"), a.Result+"\n"+a.Exam)
	f.Add([]byte{0xFF, 0xD8, 0xFF}, "garbage "+a.Exam)
	f.Add([]byte("1 0 obj"), "")
	f.Fuzz(func(t *testing.T, body []byte, codes string) {
		var pages [][]string
		for _, line := range strings.Split(codes, "\n") {
			pages = append(pages, strings.Fields(line))
		}
		decoded := 0
		v := verifier(t)
		finder := document.Finder{Info: pdfinfo.Reader{}, Codes: scannerDouble{pages: pages, decoded: &decoded}, Tokens: v, Limits: document.DefaultLimits}
		got, err := finder.Find(context.Background(), body)
		switch {
		case err != nil && !errors.Is(err, document.ErrNoTokens) && !errors.Is(err, document.ErrUnreadable) && !errors.Is(err, document.ErrTooLarge):
			t.Fatalf("unexpected error %v", err)
		case err != nil && got != (document.Tokens{}):
			t.Fatalf("an error with tokens %+v", got)
		case err == nil && !got.Both():
			t.Fatalf("no error and tokens %+v", got)
		case err == nil && document.Sniff(body) != document.PDF:
			// Codes only: both verify by signature.
			if _, err := v.VerifyExamToken(got.Exam); err != nil {
				t.Fatalf("exam token %q does not verify: %v", got.Exam, err)
			}
			if _, err := v.VerifyResultToken(got.Result); err != nil {
				t.Fatalf("result token %q does not verify: %v", got.Result, err)
			}
		}
	})
}
