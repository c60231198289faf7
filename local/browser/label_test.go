package browser

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/token"
)

// paper is a print format of the label: its width and the printer's resolution.
type paper struct {
	name     string // the value of the #paper select
	widthMM  float64
	dpi      float64
	minWidth int // the label's least width in the screenshot, in pixels
}

var (
	labelPrinter = paper{"label62", 62, 300, 700} // a 62 mm roll at 300 dpi: 732 px
	a4Sheet      = paper{"a4", 210, 150, 1000}    // the label on an A4 sheet, at 150 dpi
)

// printedLabel renders the page as printed (print media, the paper's width at
// the printer's resolution) and returns the screenshot of the label.
func (e *env) printedLabel(p paper) image.Image {
	e.t.Helper()
	e.do(chromedp.SetValue(chromedp.CSS("#paper"), p.name),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('paper').dispatchEvent(new Event('change'))`))
	cssWidth := int64(math.Ceil(p.widthMM / 25.4 * 96))
	if _, err := chromedp.Call(e.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		e.t.Fatal(err)
	}
	e.do(chromedp.EmulateViewport(cssWidth, 1200, chromedp.EmulateScale(p.dpi/96)))
	defer func() {
		_, _ = chromedp.Call(e.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		_ = chromedp.Do(e.ctx, chromedp.ResetViewport())
	}()
	// As printed: only the label shows.
	if hidden := eval[bool](e, `getComputedStyle(document.getElementById('main')).display === 'none' && getComputedStyle(document.querySelector('.label-tools')).display === 'none'`); !hidden {
		e.t.Error("the print stylesheet shows more than the label")
	}
	shot, err := chromedp.Run(e.ctx, chromedp.Screenshot(chromedp.CSS("#label")))
	if err != nil {
		e.t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		e.t.Fatal(err)
	}
	if w := img.Bounds().Dx(); w < p.minWidth || float64(w) > p.widthMM/25.4*p.dpi+8 {
		e.t.Errorf("%s: the label is %d px wide, want the paper's width at %.0f dpi", p.name, w, p.dpi)
	}
	return img
}

// decodeQR reads the QR code in img with a Go decoder (gozxing, a port of ZXing).
func decodeQR(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

// verifiedExamToken checks that tok is an exam token signed with the local
// exam key and naming exam id.
func verifiedExamToken(t *testing.T, tok, id string, examType int) exam.ExamClaims {
	t.Helper()
	v, err := token.NewVerifier([]byte(stack.LocalExamKey), []byte(stack.LocalResultKey), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := v.VerifyExamToken(tok)
	if err != nil {
		t.Fatalf("the label's token does not verify with the exam key: %v", err)
	}
	if claims.ExamID != id || int(claims.ExamType) != examType {
		t.Fatalf("the label's token names exam %s type %d, want %s type %d", claims.ExamID, claims.ExamType, id, examType)
	}
	return claims
}

// TestPrintedLabel: start an exam, and the printed label (on the 62 mm label
// printer and on A4) shows the exam's name, id and date and a QR code that a
// Go decoder reads back into the exam token, which verifies with the exam key.
func TestPrintedLabel(t *testing.T) {
	e := start(t)
	e.signInLocal()
	id := e.registered(maria, 4)
	e.search(maria)
	e.do(chromedp.Click(chromedp.CSS(examSel(id) + " .actions button")))
	e.waitText("#status", "Exame iniciado")
	e.waitFor(`!document.getElementById('label-view').hidden`)
	if got := e.text("#label"); !containsAll(got, "Glycated hemoglobin (HbA1c)", id) || !ddmmyyyy.MatchString(got) {
		t.Errorf("label text %q", got)
	}
	if n := len(eval[string](e, `document.querySelector('#label-qr svg') ? 'x'.repeat(Number(document.querySelector('#label-qr svg').dataset.version)) : ''`)); n < 10 {
		t.Errorf("QR version %d: the token should need a version of 10 or more", n)
	}
	var first string
	for _, p := range []paper{labelPrinter, a4Sheet} {
		t.Run(p.name, func(t *testing.T) {
			img := e.printedLabel(p)
			tok, err := decodeQR(img)
			if err != nil {
				t.Fatalf("decoding the QR code of the %s label: %v", p.name, err)
			}
			if len(tok) < 300 {
				t.Errorf("a %d-character token; the label is sized for 300 and more", len(tok))
			}
			verifiedExamToken(t, tok, id, 4)
			if first == "" {
				first = tok
			} else if tok != first {
				t.Error("the two formats carry different tokens")
			}
		})
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !bytes.Contains([]byte(s), []byte(p)) {
			return false
		}
	}
	return true
}

var _ = fmt.Sprint
