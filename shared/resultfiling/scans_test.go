package resultfiling_test

import (
	"bytes"
	"context"
	"image"
	"slices"
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
// scanner (without its time budget: see scantest.Unhurried) instead of
// codesDouble.
func (h *harness) withScanner() *harness {
	verifier, err := token.NewVerifier(examKey, resultKey, h.clock.Now)
	if err != nil {
		h.t.Fatal(err)
	}
	finder := document.Finder{Info: pdfinfo.Reader{}, Codes: scantest.Unhurried(qrscan.Scanner{}), Tokens: verifier, Limits: document.DefaultLimits}
	h.objects = &flakyObjects{Objects: s3results.New(h.s3).ReadingDocuments(finder)}
	h.proc.Objects = h.objects
	h.handle = s3event.Handler(h.proc.Process)
	return h
}

// TestScansThroughTheProcessor: real scans, uploaded without metadata, are
// read by the real scanner through the Lambda handler and filed with their
// outcome and reason: every kind of scan the scanner reads, and every bomb it
// refuses. Full-page decodes are few (the tilted and the quarter-turned JPEG
// and img2pdf's page at 200 dpi, the 600 dpi page); the other kinds carry
// only the page's foot, where the codes are; the bombs are refused from
// their headers.
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

	// The foot of a page with this exam's codes, on the scanner's glass.
	footOf := func(examTok, resultTok string, degrees float64, seed uint64) *image.Gray {
		return scantest.Scanned(scantest.Foot(scantest.RenderPage(200, scantest.Codes(examTok, resultTok)), 200), degrees, seed)
	}
	finishing := func(name, file string, body func(examTok, resultTok string) []byte) {
		e, label := h.labelledExam(fakes.ActiveSMS)
		scans = append(scans, scan{name, h.putDocument("completed/2026_11/"+file, body(label, h.resultToken(e.ID))), resultfiling.Finished, e.ID})
	}
	finishing("PNG scan", "scan.png", func(ex, res string) []byte { return scantest.PNG(footOf(ex, res, -2, 28)) })
	finishing("JPEG turned a quarter", "quarter.jpg", func(ex, res string) []byte {
		return scantest.JPEG(scantest.Scanned(scantest.RenderPage(200, scantest.Codes(ex, res)), 85, 29), 60)
	})
	finishing("phone photo, EXIF orientation 6", "photo.jpg", func(ex, res string) []byte {
		// Stored turned a quarter counter-clockwise, tagged to be shown turned back.
		return scantest.WithEXIFOrientation(scantest.JPEG(scantest.Tinted(footOf(ex, res, -90, 30)), 80), 6)
	})
	finishing("CMYK JPEG", "cmyk.jpg", func(ex, res string) []byte { return scantest.CMYKJPEG(t, scantest.Tinted(footOf(ex, res, 1.5, 31))) })
	finishing("img2pdf PDF of a colour PNG", "png.pdf", func(ex, res string) []byte {
		pdf := pdfs.Img2pdf(t, "png", scantest.PNG(scantest.Tinted(footOf(ex, res, 1, 32))))
		if !bytes.Contains(pdf, []byte("/Predictor 15")) {
			t.Fatal("img2pdf wrote no PNG predictor: not the PDF this case is about")
		}
		return pdf
	})
	// A colour page at 600 dpi (35 megapixels), with the JWT exam token.
	e, tok = h.startedExam(fakes.ActiveSMS)
	page = scantest.Scanned(scantest.RenderPage(200, scantest.Codes(tok, h.resultToken(e.ID))), 1, 33)
	scans = append(scans, scan{"600 dpi colour page", h.putDocument("completed/2026_11/600dpi.jpg", scantest.Colour600(t, scantest.Tinted(page))), resultfiling.Finished, e.ID})
	blank := scantest.BlankScan()
	finishing("20-page PDF, the codes on its last page", "20-pages.pdf", func(ex, res string) []byte {
		pages := append(slices.Repeat([][]byte{blank}, 19), scantest.JPEG(footOf(ex, res, -1, 34), 70))
		return pdfs.Img2pdf(t, "jpg", pages...)
	})
	scans = append(scans,
		scan{"21-page PDF", h.putDocument("completed/2026_11/21-pages.pdf", pdfs.Img2pdf(t, "jpg", slices.Repeat([][]byte{blank}, 21)...)), resultfiling.DocumentTooLarge, ""},
		scan{"JPEG bomb", h.putDocument("completed/2026_11/bomb.jpg", scantest.JPEGDeclaring(65_000, 65_000)), resultfiling.DocumentTooLarge, ""},
		scan{"PDF with an oversized image", h.putDocument("completed/2026_11/bomb.pdf", pdfs.ImagePages(1, 20_000, 20_000, "FlateDecode", []byte("not zlib"))), resultfiling.DocumentTooLarge, ""},
	)

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
