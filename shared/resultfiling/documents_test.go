package resultfiling_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/pdfs"
)

// pngSignature starts a fake image for codesDouble.
const pngSignature = "\x89PNG\r\n\x1a\n"

// codesDouble stands for the QR scanner (document.CodeScanner): an "image" is
// the PNG signature followed by the codes printed on it, separated by
// spaces, or followed by "unreadable" or "too-large"; PDFs have no page images.
type codesDouble struct{}

func (codesDouble) ImageCodes(_ context.Context, image []byte, _ document.Limits) ([]string, error) {
	codes := strings.Fields(strings.TrimPrefix(string(image), pngSignature))
	switch {
	case len(codes) == 1 && codes[0] == "unreadable":
		return nil, document.ErrUnreadable
	case len(codes) == 1 && codes[0] == "too-large":
		return nil, document.ErrTooLarge
	}
	return codes, nil
}

func (codesDouble) PDFPageCodes(context.Context, []byte, document.Limits, func([]string) bool) error {
	return nil
}

// putDocument uploads body without metadata, under a name and Content-Type
// that say nothing of it.
func (h *harness) putDocument(key string, body []byte) events.S3Event {
	return h.put(key, "application/octet-stream", body, nil)
}

// tokenEntries are the information dictionary's entries of two tokens, as literal strings.
func tokenEntries(examTok, resultTok string) []string {
	return []string{"/ZMEDExamToken (" + examTok + ")", "/ZMEDResultToken (" + resultTok + ")"}
}

// documentCases are the outcomes of documents that carry their tokens
// inside, or fail to (part of outcomeCases).
func documentCases() []outcomeCase {
	return []outcomeCase{
		{"tokens in a born-digital PDF's information dictionary", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveSMS)
			return h.putDocument("completed/2026_11/"+e.ID+".bin", pdfs.Write(2, tokenEntries(tok, h.resultToken(e.ID))...)), e.ID
		}, resultfiling.Finished, true},
		{"tokens as hex strings of an incremental update, rewritten by qpdf with object streams", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveEmail)
			updated := pdfs.AppendUpdate(pdfs.Write(1), 5, "/ZMEDExamToken "+pdfs.HexString(tok), "/ZMEDResultToken "+pdfs.HexString(h.resultToken(e.ID)))
			return h.putDocument("completed/2026_11/"+e.ID+".pdf", pdfs.Qpdf(h.t, updated, "--object-streams=generate")), e.ID
		}, resultfiling.Finished, true},
		{"tokens in a PDF encrypted with an owner password only", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveSMS)
			pdf := pdfs.Qpdf(h.t, pdfs.Write(1, tokenEntries(tok, h.resultToken(e.ID))...), "--encrypt", "", "owner", "256", "--")
			return h.putDocument("completed/2026_11/"+e.ID+".pdf", pdf), e.ID
		}, resultfiling.Finished, true},
		{"tokens in a PDF with a cyclic /Prev", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveSMS)
			born := pdfs.Write(1)
			updated := pdfs.AppendUpdate(born, 5, tokenEntries(tok, h.resultToken(e.ID))...)
			cyclic := bytes.Replace(updated, []byte("/Prev "+strconv.Itoa(pdfs.StartXref(born))), []byte("/Prev "+strconv.Itoa(pdfs.StartXref(updated))), 1)
			return h.putDocument("completed/2026_11/"+e.ID+".pdf", cyclic), e.ID
		}, resultfiling.Finished, true},
		{"QR codes of both tokens on an image", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveSMS)
			return h.putDocument("completed/2026_11/"+e.ID+".png", []byte(pngSignature+h.resultToken(e.ID)+" "+tok)), e.ID
		}, resultfiling.Finished, true},
		{"a QR code of the result token only", func(h *harness) (events.S3Event, string) {
			e, _ := h.startedExam(fakes.ActiveSMS)
			return h.putDocument("completed/2026_11/r.png", []byte(pngSignature+h.resultToken(e.ID))), e.ID
		}, resultfiling.MissingTokens, false},
		{"a PDF without tokens", func(h *harness) (events.S3Event, string) {
			return h.putDocument("completed/2026_11/r.pdf", pdfs.Write(3)), ""
		}, resultfiling.MissingTokens, false},
		{"bytes of no known type, whatever their name", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveSMS)
			return h.put("completed/2026_11/r.pdf", "application/pdf", []byte("ZMEDExamToken "+tok+" "+h.resultToken(e.ID)), nil), e.ID
		}, resultfiling.MissingTokens, false},
		{"a truncated PDF", func(h *harness) (events.S3Event, string) {
			return h.putDocument("completed/2026_11/r.pdf", []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog")), ""
		}, resultfiling.UnreadableBody, false},
		{"a PDF encrypted with a user password", func(h *harness) (events.S3Event, string) {
			e, tok := h.startedExam(fakes.ActiveSMS)
			pdf := pdfs.Qpdf(h.t, pdfs.Write(1, tokenEntries(tok, h.resultToken(e.ID))...), "--encrypt", "user", "owner", "256", "--")
			return h.putDocument("completed/2026_11/r.pdf", pdf), e.ID
		}, resultfiling.UnreadableBody, false},
		{"an image that cannot be decoded", func(h *harness) (events.S3Event, string) {
			return h.putDocument("completed/2026_11/r.png", []byte(pngSignature+"unreadable")), ""
		}, resultfiling.UnreadableBody, false},
		{"an image beyond the pixel limits", func(h *harness) (events.S3Event, string) {
			return h.putDocument("completed/2026_11/r.png", []byte(pngSignature+"too-large")), ""
		}, resultfiling.DocumentTooLarge, false},
		{"a PDF of more pages than the limit, without tokens in its dictionary", func(h *harness) (events.S3Event, string) {
			return h.putDocument("completed/2026_11/r.pdf", pdfs.Write(document.DefaultLimits.MaxPages+1)), ""
		}, resultfiling.DocumentTooLarge, false},
	}
}

// TestObjectsBeyondTheSizeLimit: a 51 MiB object is filed by its metadata
// without its body being read; without tokens in its metadata it is
// document_too_large, unread too.
func TestObjectsBeyondTheSizeLimit(t *testing.T) {
	h := newHarness(t)
	big := append(pdfs.Write(1), bytes.Repeat([]byte("%"), 51<<20)...)
	e, tok := h.startedExam(fakes.ActiveSMS)
	withTokens := h.put("completed/2026_11/"+e.ID+".pdf", "application/pdf", big, map[string]string{"exam-token": tok, "result-token": h.resultToken(e.ID)})
	without := h.putDocument("completed/2026_11/r.pdf", big)
	h.bodyBytes.Store(0)
	for _, ev := range []events.S3Event{withTokens, without} {
		if err := h.handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	h.expectKeys("processed/"+month+"/"+e.ID+".pdf", "stuck/"+month+"/r.pdf")
	if got := h.filedMetadata("stuck/" + month + "/r.pdf")["zmed-reason"]; got != string(resultfiling.DocumentTooLarge) {
		t.Errorf("filed as %q, want %s", got, resultfiling.DocumentTooLarge)
	}
	if h.exam(e.ID).Status != exam.StatusFinished {
		t.Error("the result with tokens in its metadata did not finish its exam")
	}
	if n := h.bodyBytes.Load(); n > 64<<10 {
		t.Fatalf("read %d bytes of S3 response bodies for two %d-byte objects", n, len(big))
	}
}
