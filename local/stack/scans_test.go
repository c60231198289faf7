package stack

import (
	"bytes"
	"image"
	"slices"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/testsupport/pdfs"
	"github.com/zmed/exam-manager/shared/testsupport/scantest"
)

// TestScansCarryTheirTokens uploads real scans, without metadata, through
// the stack's S3 endpoint: the stack's default scanner (process-result's,
// without its time budget: see scantest.Unhurried) reads their QR codes and
// each is filed with its outcome and reason: every kind of scan the scanner
// reads, and every bomb it refuses. Full-page decodes are few (the tilted
// and the quarter-turned JPEG and img2pdf's page at 200 dpi, the 600 dpi
// page); the other kinds carry only the page's foot, where the codes are;
// the bombs are refused from their headers.
func TestScansCarryTheirTokens(t *testing.T) {
	e := startStack(t, func(c *Config) { c.Codes = scantest.Unhurried(c.Codes) })
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

	// The foot of a page with an exam's codes, on the scanner's glass.
	footOf := func(examTok, resultTok string, degrees float64, seed uint64) *image.Gray {
		return scantest.Scanned(scantest.Foot(scantest.RenderPage(200, scantest.Codes(examTok, resultTok)), 200), degrees, seed)
	}
	finishing := func(name string, body func(examTok, resultTok string) []byte) {
		id, label := e.labelledExam(activeSMS)
		uploads = append(uploads, upload{name: name, body: body(label, e.resultToken(id)), reason: resultfiling.Finished, examID: id})
	}
	finishing("scan.png", func(ex, res string) []byte { return scantest.PNG(footOf(ex, res, 2, 38)) })
	finishing("quarter.jpg", func(ex, res string) []byte {
		return scantest.JPEG(scantest.Scanned(scantest.RenderPage(200, scantest.Codes(ex, res)), -95, 39), 60)
	})
	finishing("photo.jpg", func(ex, res string) []byte {
		// A phone photo stored turned a quarter counter-clockwise, tagged
		// (EXIF orientation 6) to be shown turned back.
		return scantest.WithEXIFOrientation(scantest.JPEG(scantest.Tinted(footOf(ex, res, -90, 40)), 80), 6)
	})
	finishing("cmyk.jpg", func(ex, res string) []byte { return scantest.CMYKJPEG(t, scantest.Tinted(footOf(ex, res, -1.5, 41))) })
	finishing("png.pdf", func(ex, res string) []byte {
		pdf := pdfs.Img2pdf(t, "png", scantest.PNG(scantest.Tinted(footOf(ex, res, -1, 42))))
		if !bytes.Contains(pdf, []byte("/Predictor 15")) {
			t.Fatal("img2pdf wrote no PNG predictor: not the PDF this case is about")
		}
		return pdf
	})
	blank := scantest.BlankScan()
	finishing("20-pages.pdf", func(ex, res string) []byte {
		pages := append(slices.Repeat([][]byte{blank}, 19), scantest.JPEG(footOf(ex, res, 1, 43), 70))
		return pdfs.Img2pdf(t, "jpg", pages...)
	})
	// Beyond the limits: 21 pages, a JPEG declaring 65,000 × 65,000, a PDF
	// whose page image declares 20,000 × 20,000.
	uploads = append(uploads,
		upload{name: "21-pages.pdf", body: pdfs.Img2pdf(t, "jpg", slices.Repeat([][]byte{blank}, 21)...), reason: resultfiling.DocumentTooLarge},
		upload{name: "bomb.jpg", body: scantest.JPEGDeclaring(65_000, 65_000), reason: resultfiling.DocumentTooLarge},
		upload{name: "bomb.pdf", body: pdfs.ImagePages(1, 20_000, 20_000, "FlateDecode", []byte("not zlib")), reason: resultfiling.DocumentTooLarge},
	)

	e.uploadAll(uploads)
	// A colour page at 600 dpi (35 megapixels), with the JWT exam token,
	// alone: the stack reads uploads side by side, and the heaviest page
	// must not wait for the others' decodes.
	id, tok = e.startedExam(activeSMS)
	page = scantest.Scanned(scantest.RenderPage(200, scantest.Codes(tok, e.resultToken(id))), -1, 44)
	e.uploadAll([]upload{{name: "600dpi.jpg", body: scantest.Colour600(t, scantest.Tinted(page)), reason: resultfiling.Finished, examID: id}})
	if e.status(activeSMS, other) == string(exam.StatusFinished) {
		t.Error("another exam's label code finished that exam")
	}
}
