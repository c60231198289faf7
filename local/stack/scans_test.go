package stack

import (
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/testsupport/pdfs"
	"github.com/zmed/exam-manager/shared/testsupport/scantest"
)

// TestScansCarryTheirTokens uploads real scans, without metadata, through
// the stack's S3 endpoint: the stack's default scanner (process-result's)
// reads their QR codes and each is filed with its outcome and reason. Two
// full-page decodes at 200 dpi; the refusals decode only the page's foot.
func TestScansCarryTheirTokens(t *testing.T) {
	e := startStack(t)
	var uploads []upload
	// A JPEG scan, upside down and 3° off, speckled, at quality 65, with
	// the label code and the result token.
	id, label := e.labelledExam(activeSMS)
	page := scantest.Scanned(scantest.RenderPage(200, scantest.Codes(label, e.resultToken(id))), 183, 34)
	uploads = append(uploads, upload{name: "rotated-" + id + ".jpg", body: scantest.JPEG(page, 65), reason: resultfiling.Finished, examID: id})
	// A scanner-style PDF (img2pdf) whose page is one JPEG image, with the
	// JWT exam token.
	id, tok := e.startedExam(activeSMS)
	page = scantest.Scanned(scantest.RenderPage(200, scantest.Codes(tok, e.resultToken(id))), -1.5, 35)
	uploads = append(uploads, upload{name: "img2pdf-" + id + ".pdf", body: pdfs.Img2pdf(t, "jpg", scantest.JPEG(page, 75)), reason: resultfiling.Finished, examID: id})
	// A PNG bomb, refused from its header; a result token alone; another
	// exam's label code beside this exam's result token.
	uploads = append(uploads, upload{name: "bomb.png", body: scantest.PNGBomb(30_000, 30_000), reason: resultfiling.DocumentTooLarge})
	id, _ = e.startedExam(activeSMS)
	foot := scantest.Foot(scantest.RenderPage(200, scantest.Codes("", e.resultToken(id))), 200)
	uploads = append(uploads, upload{name: "result-only.jpg", body: scantest.JPEG(scantest.Scanned(foot, 2, 36), 70), reason: resultfiling.MissingTokens})
	other, otherLabel := e.labelledExam(activeSMS)
	id, _ = e.startedExam(activeSMS)
	foot = scantest.Foot(scantest.RenderPage(200, scantest.Codes(otherLabel, e.resultToken(id))), 200)
	uploads = append(uploads, upload{name: "other-exam.png", body: scantest.PNG(scantest.Scanned(foot, -2, 37)), reason: resultfiling.TokensMismatch})

	e.uploadAll(uploads)
	if e.status(activeSMS, other) == string(exam.StatusFinished) {
		t.Error("another exam's label code finished that exam")
	}
}
