package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/labelcode"
)

// paper is a print format of the label: its width and the printer's resolution.
type paper struct {
	name     string // the value of the #paper select
	widthMM  float64
	dpi      float64
	minWidth int // the label's least width in the screenshot, in pixels
}

var (
	labelPrinter    = paper{"label62", 62, 300, 700} // a 62 mm roll at 300 dpi: 732 px
	labelPrinter203 = paper{"label62", 62, 203, 470} // the same roll on a 203 dpi printer: 495 px
	a4Sheet         = paper{"a4", 210, 150, 1000}    // the label on an A4 sheet, at 150 dpi
)

// printedLabel renders the page as printed (print media, the paper's width at
// the printer's resolution) and returns the screenshot of the label.
func (e *env) printedLabel(p paper) image.Image {
	img, _ := e.printedLabelAndQR(p)
	return img
}

// printedLabelAndQR is printedLabel, with where the QR code is in the screenshot.
func (e *env) printedLabelAndQR(p paper) (image.Image, image.Rectangle) {
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
	box := eval[[]float64](e, `(() => { const l = document.getElementById('label').getBoundingClientRect(), q = document.querySelector('#label-qr svg').getBoundingClientRect();
		return [q.left - l.left, q.top - l.top, q.right - l.left, q.bottom - l.top]; })()`)
	scale := p.dpi / 96
	qr := image.Rect(int(box[0]*scale), int(box[1]*scale), int(box[2]*scale), int(box[3]*scale))
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
	return img, qr
}

// stain paints a grey square over the middle of the QR code at qr, a tenth
// of its side.
func stain(img image.Image, qr image.Rectangle) image.Image {
	out := image.NewRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	c, side := qr.Min.Add(qr.Max).Div(2), qr.Dx()/10
	draw.Draw(out, image.Rect(c.X-side/2, c.Y-side/2, c.X+side/2, c.Y+side/2), &image.Uniform{color.Gray{Y: 0x99}}, image.Point{}, draw.Src)
	return out
}

// scanned is what a QR code read back holds, and how it was printed.
type scanned struct {
	text    string
	level   string // error correction: L, M, Q or H
	modules int    // the side in modules, quiet zone excluded: 17 + 4 × version
}

// decodeQR reads the QR code in img with a Go decoder (gozxing, a port of
// ZXing), as its QR code reader does (find the code, sample its modules,
// decode them), keeping the module count. As a scanner held at another angle
// would, it reads the label turned a quarter at a time until one reading
// succeeds.
func decodeQR(img image.Image) (string, error) {
	s, err := scanQR(img)
	return s.text, err
}

func scanQR(img image.Image) (scanned, error) {
	var errs []error
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	for turn := range 4 {
		bmp, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			return scanned{}, err
		}
		matrix, err := bmp.GetBlackMatrix()
		if err != nil {
			return scanned{}, err
		}
		found, err := detector.NewDetector(matrix).Detect(hints)
		if err == nil {
			read, derr := decoder.NewDecoder().Decode(found.GetBits(), hints)
			if derr == nil {
				return scanned{read.GetText(), read.GetECLevel(), found.GetBits().GetWidth()}, nil
			}
			err = derr
		}
		errs = append(errs, fmt.Errorf("turned %d°: %w", 90*turn, err))
		img = quarterTurn(img)
	}
	return scanned{}, errors.Join(errs...)
}

// quarterTurn turns img 90° clockwise.
func quarterTurn(img image.Image) image.Image {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.Set(b.Max.Y-1-y, x-b.Min.X, img.At(x, y))
		}
	}
	return out
}

// verifiedLabelCode checks that code is a label code naming exam id, made
// with the local exam key for that exam as the API lists it (its patient and type).
func (e *env) verifiedLabelCode(t *testing.T, code, id, cpf string) {
	t.Helper()
	if named, err := labelcode.ExamID(code); err != nil || named != id {
		t.Fatalf("the label's code %q names exam %q (%v), want %s", code, named, err, id)
	}
	for _, listed := range e.listed(cpf) {
		if listed["exam_id"] == id {
			stored := labelcode.Exam{ID: id, PatientID: listed["patient_id"].(string), Type: int(listed["exam_type"].(float64))}
			if err := labelcode.Verify([][]byte{[]byte(stack.LocalExamKey)}, code, stored, time.Now()); err != nil {
				t.Fatalf("the label's code does not verify with the exam key: %v", err)
			}
			return
		}
	}
	t.Fatalf("exam %s is not listed", id)
}

// TestPrintedLabel: start an exam, and the printed label (on the 62 mm label
// printer and on A4) shows the exam's name, id and date and a QR code of
// version 3 or lower at level M, about 15 mm wide, that a Go decoder reads
// back into the exam's label code, which verifies with the exam key and is
// printed as text under the code.
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
	var first string
	for _, p := range []paper{labelPrinter, labelPrinter203, a4Sheet} {
		t.Run(fmt.Sprintf("%s at %.0f dpi", p.name, p.dpi), func(t *testing.T) {
			img, qr := e.printedLabelAndQR(p)
			// The SVG holds the quiet zone too: 4 modules each side of 29.
			if mm := float64(qr.Dx()) / p.dpi * 25.4 * 29 / 37; mm < 13 || mm > 17 {
				t.Errorf("the QR code is %.1f mm wide without its quiet zone, want about 15", mm)
			}
			s, err := scanQR(img)
			if err != nil {
				t.Fatalf("decoding the QR code of the %s label: %v", p.name, err)
			}
			if s.modules > 29 || s.level != "M" {
				t.Errorf("a QR code of %d modules at level %s, want version 3 or lower (29 modules or fewer) at M", s.modules, s.level)
			}
			e.verifiedLabelCode(t, s.text, id, maria)
			if printed := e.text("#label-code"); printed != s.text {
				t.Errorf("the text under the code is %q, want the code %q", printed, s.text)
			}
			// A stain over the middle of the code (a tenth of its width and height)
			// is within what error correction M recovers.
			if stained, err := decodeQR(stain(img, qr)); err != nil || stained != s.text {
				t.Errorf("a stained label does not scan: %v", err)
			}
			if first == "" {
				first = s.text
			} else if s.text != first {
				t.Error("the two formats carry different codes")
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

// TestPrintedPages: printing (Chrome's own print to PDF, the page's @page
// sizes preferred) gives one page, of the label roll's size or A4's.
func TestPrintedPages(t *testing.T) {
	e := start(t)
	e.signInLocal()
	id := e.registered(maria, 4)
	e.search(maria)
	e.startFromPage(id)
	mediaBox := regexp.MustCompile(`/MediaBox\s*\[0 0 ([0-9.]+) ([0-9.]+)\]`)
	pageObj := regexp.MustCompile(`/Type\s*/Page[^s]`)
	const pt = 72 / 25.4 // points a millimetre
	for _, p := range []struct {
		paper         string
		width, height float64 // mm
	}{{"label62", 62, 100}, {"a4", 210, 297}} {
		e.do(chromedp.SetValue(chromedp.CSS("#paper"), p.paper),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('paper').dispatchEvent(new Event('change'))`))
		pdf, err := chromedp.Run(e.ctx, func(ctx context.Context, _ *chromedp.Target) ([]byte, error) {
			r, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: new(true)})
			return r.Data, err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(pageObj.FindAll(pdf, -1)); n != 1 {
			t.Errorf("%s: %d pages, want 1", p.paper, n)
		}
		m := mediaBox.FindSubmatch(pdf)
		if m == nil {
			t.Fatalf("%s: no page size in the PDF", p.paper)
		}
		w, _ := strconv.ParseFloat(string(m[1]), 64)
		h, _ := strconv.ParseFloat(string(m[2]), 64)
		if math.Abs(w-p.width*pt) > 2 || math.Abs(h-p.height*pt) > 2 {
			t.Errorf("%s: a page of %.1f × %.1f mm, want %.0f × %.0f", p.paper, w/pt, h/pt, p.width, p.height)
		}
	}
}
