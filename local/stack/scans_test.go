package stack

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/s3results"
	"github.com/zmed/exam-manager/shared/testsupport/pdfs"
	"github.com/zmed/exam-manager/shared/testsupport/scantest"
)

// TestScansCarryTheirTokens uploads real scans, without metadata, through
// the stack's S3 endpoint: the stack's default scanner (process-result's)
// reads their QR codes and each is filed with its outcome and reason. Two
// full-page decodes at 200 dpi; the refusals decode only the page's foot.
func TestScansCarryTheirTokens(t *testing.T) {
	e := startStack(t)
	type upload struct {
		name   string
		body   []byte
		reason resultfiling.Reason
		examID string // finished by it, for Finished
	}
	var uploads []upload
	// A JPEG scan, upside down and 3° off, speckled, at quality 65, with
	// the label code and the result token.
	id, label := e.labelledExam(activeSMS)
	page := scantest.Scanned(scantest.RenderPage(200, scantest.Codes(label, e.resultToken(id))), 183, 34)
	uploads = append(uploads, upload{"rotated-" + id + ".jpg", scantest.JPEG(page, 65), resultfiling.Finished, id})
	// A scanner-style PDF (img2pdf) whose page is one JPEG image, with the
	// JWT exam token.
	id, tok := e.startedExam(activeSMS)
	page = scantest.Scanned(scantest.RenderPage(200, scantest.Codes(tok, e.resultToken(id))), -1.5, 35)
	uploads = append(uploads, upload{"img2pdf-" + id + ".pdf", pdfs.Img2pdf(t, "jpg", scantest.JPEG(page, 75)), resultfiling.Finished, id})
	// A PNG bomb, refused from its header; a result token alone; another
	// exam's label code beside this exam's result token.
	uploads = append(uploads, upload{"bomb.png", scantest.PNGBomb(30_000, 30_000), resultfiling.DocumentTooLarge, ""})
	id, _ = e.startedExam(activeSMS)
	foot := scantest.Foot(scantest.RenderPage(200, scantest.Codes("", e.resultToken(id))), 200)
	uploads = append(uploads, upload{"result-only.jpg", scantest.JPEG(scantest.Scanned(foot, 2, 36), 70), resultfiling.MissingTokens, ""})
	other, otherLabel := e.labelledExam(activeSMS)
	id, _ = e.startedExam(activeSMS)
	foot = scantest.Foot(scantest.RenderPage(200, scantest.Codes(otherLabel, e.resultToken(id))), 200)
	uploads = append(uploads, upload{"other-exam.png", scantest.PNG(scantest.Scanned(foot, -2, 37)), resultfiling.TokensMismatch, ""})

	for _, u := range uploads {
		if err := Upload(context.Background(), e.s3, e.s.Config.Bucket, "completed/"+u.name, "application/octet-stream", u.body, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	month := time.Now().UTC().Format("2006_01")
	for _, u := range uploads {
		key := string(u.reason.Outcome()) + "/" + month + "/" + u.name
		var reason string
		e.eventually(u.name+" filed", func() bool {
			head, err := e.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(e.s.Config.Bucket), Key: aws.String(key)})
			if err == nil {
				reason = head.Metadata[s3results.ReasonMeta]
			}
			return err == nil
		})
		if reason != string(u.reason) {
			t.Errorf("%s filed as %q, want %s", u.name, reason, u.reason)
		}
		if u.examID != "" && e.status(activeSMS, u.examID) != string(exam.StatusFinished) {
			t.Errorf("%s did not finish its exam", u.name)
		}
	}
	if e.status(activeSMS, other) == string(exam.StatusFinished) {
		t.Error("another exam's label code finished that exam")
	}
}
