package resultfiling_test

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/document/pdfinfo"
	"github.com/zmed/exam-manager/shared/document/qrscan"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/s3event"
	"github.com/zmed/exam-manager/shared/s3results"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/pdfs"
	"github.com/zmed/exam-manager/shared/testsupport/scantest"
	"github.com/zmed/exam-manager/shared/token"
)

// withScanner makes the harness read QR codes with process-result's real
// scanner instead of codesDouble.
func (h *harness) withScanner() *harness {
	verifier, err := token.NewVerifier(examKey, resultKey, h.clock.Now)
	if err != nil {
		h.t.Fatal(err)
	}
	finder := document.Finder{Info: pdfinfo.Reader{}, Codes: qrscan.Scanner{}, Tokens: verifier, Limits: document.DefaultLimits}
	h.objects = &flakyObjects{Objects: s3results.New(h.s3).ReadingDocuments(finder)}
	h.proc.Objects = h.objects
	h.handle = s3event.Handler(h.proc.Process)
	return h
}

// TestScansThroughTheProcessor: real scans, uploaded without metadata, are
// read by the real scanner and filed with their outcome and reason. Full-page
// decodes are few (two, at 200 dpi); the refusals decode only the page's foot.
func TestScansThroughTheProcessor(t *testing.T) {
	h := newHarness(t).withScanner()
	type scan struct {
		name   string
		event  events.S3Event
		reason resultfiling.Reason
		examID string // finished by it, for Finished
	}
	var scans []scan
	// A JPEG scan, upside down and 3° off, speckled, at quality 65, with
	// the label code and the result token.
	e, label := h.labelledExam(fakes.ActiveSMS)
	page := scantest.Scanned(scantest.RenderPage(200, scantest.Codes(label, h.resultToken(e.ID))), 183, 24)
	scans = append(scans, scan{"rotated JPEG", h.putDocument("completed/2026_11/"+e.ID+".jpg", scantest.JPEG(page, 65)), resultfiling.Finished, e.ID})
	// A scanner-style PDF (img2pdf) whose page is one JPEG image, with the
	// JWT exam token.
	e, tok := h.startedExam(fakes.ActiveEmail)
	page = scantest.Scanned(scantest.RenderPage(200, scantest.Codes(tok, h.resultToken(e.ID))), 1.5, 25)
	scans = append(scans, scan{"img2pdf PDF", h.putDocument("completed/2026_11/"+e.ID+".pdf", pdfs.Img2pdf(t, "jpg", scantest.JPEG(page, 75))), resultfiling.Finished, e.ID})
	// A PNG bomb: refused from its header.
	scans = append(scans, scan{"PNG bomb", h.putDocument("completed/2026_11/bomb.png", scantest.PNGBomb(30_000, 30_000)), resultfiling.DocumentTooLarge, ""})
	// Only a result token.
	e, _ = h.startedExam(fakes.ActiveSMS)
	foot := scantest.Foot(scantest.RenderPage(200, scantest.Codes("", h.resultToken(e.ID))), 200)
	scans = append(scans, scan{"result token only", h.putDocument("completed/2026_11/only-result.jpg", scantest.JPEG(scantest.Scanned(foot, -2, 26), 70)), resultfiling.MissingTokens, ""})
	// Another exam's label code beside this exam's result token.
	other, otherLabel := h.labelledExam(fakes.ActiveSMS)
	e, _ = h.startedExam(fakes.ActiveSMS)
	foot = scantest.Foot(scantest.RenderPage(200, scantest.Codes(otherLabel, h.resultToken(e.ID))), 200)
	scans = append(scans, scan{"another exam's label code", h.putDocument("completed/2026_11/other.png", scantest.PNG(scantest.Scanned(foot, 2, 27))), resultfiling.TokensMismatch, ""})

	for _, s := range scans {
		if err := h.handle(context.Background(), s.event); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		key := string(s.reason.Outcome()) + "/" + month + "/" + s.event.Records[0].S3.Object.Key[len("completed/2026_11/"):]
		if got := h.filedMetadata(key)["zmed-reason"]; got != string(s.reason) {
			t.Errorf("%s filed to %s as %q, want %s", s.name, key, got, s.reason)
		}
		if s.examID != "" && h.exam(s.examID).Status != exam.StatusFinished {
			t.Errorf("%s did not finish its exam", s.name)
		}
	}
	if h.exam(other.ID).Status == exam.StatusFinished {
		t.Error("another exam's label code finished that exam")
	}
}
