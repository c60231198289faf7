package pdfinfo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/document/pdfinfo"
	"github.com/zmed/exam-manager/shared/testsupport/pdfs"
)

// FuzzPDFInfo: any bytes end, within the budget and without a panic, as an
// Info or as ErrUnreadable / ErrTooLarge.
func FuzzPDFInfo(f *testing.F) {
	born := pdfs.Write(2, tokenEntries...)
	f.Add(born)
	f.Add(pdfs.AppendUpdate(pdfs.Write(1), 5, "/ZMEDExamToken "+pdfs.HexString(examTok)))
	f.Add(born[:len(born)/3])
	f.Add([]byte("%PDF-1.5\n1 0 obj << /Type /XRef /Size 99999999 /W [1 4 4] >> stream\nendstream endobj startxref 9 %%EOF"))
	f.Fuzz(func(t *testing.T, pdf []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		info, err := pdfinfo.Read(ctx, pdf)
		switch {
		case err != nil && !errors.Is(err, document.ErrUnreadable) && !errors.Is(err, document.ErrTooLarge):
			t.Fatalf("unexpected error %v", err)
		case err != nil && info != (pdfinfo.Info{}):
			t.Fatalf("an error with an Info: %+v", info)
		case len(info.ExamToken) > 4096 || len(info.ResultToken) > 4096:
			t.Fatal("a token longer than any token")
		}
	})
}
