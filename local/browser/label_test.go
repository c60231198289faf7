package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/labelcode"
)

// paper is a print format of the label: its size and the printer's resolution.
type paper struct {
	name            string  // the value of the #paper select
	pageMM          float64 // the page's width
	widthMM, highMM float64 // the label's size (no height: as tall as it needs)
	dpi             float64
}

var (
	tubeLabel    = paper{"tube50", 50, 50, 25, 300} // a 50 × 25 mm tube label at 300 dpi
	tubeLabel203 = paper{"tube50", 50, 50, 25, 203} // the same on a 203 dpi printer
	deskLabel    = paper{"desk62", 62, 62, 29, 300} // a desk printer's 62 × 29 mm label
	deskLabel203 = paper{"desk62", 62, 62, 29, 203}
	a4Sheet      = paper{"a4", 210, 180, 0, 150} // the label on an A4 sheet, at 150 dpi
)

// choosePaper picks the label size in the page, as the attendant does.
func (e *env) choosePaper(name string) {
	e.t.Helper()
	e.do(chromedp.SetValue(chromedp.CSS("#paper"), name),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('paper').dispatchEvent(new Event('change'))`))
}

// overflowing lists what does not fit the label as shown: an element of the
// label outside its box, a name or text column that would need more room.
func (e *env) overflowing() []string {
	e.t.Helper()
	return eval[[]string](e, `(() => {
		const label = document.getElementById('label'), box = label.getBoundingClientRect(), out = [];
		for (const n of label.querySelectorAll('*')) {
			const r = n.getBoundingClientRect();
			if (r.width === 0 && r.height === 0) continue;
			if (r.left < box.left - 0.5 || r.top < box.top - 0.5 || r.right > box.right + 0.5 || r.bottom > box.bottom + 0.5) out.push((n.id || n.className.baseVal || n.className || n.tagName) + ' outside the label');
		}
		for (const n of [document.getElementById('label-patient'), label.querySelector('.label-text')]) {
			if (n.scrollHeight > n.clientHeight + 1 || n.scrollWidth > n.clientWidth + 1) out.push((n.id || n.className) + ' overflows');
		}
		return out;
	})()`)
}

// printedLabel renders the page as printed (print media, the paper's width at
// the printer's resolution) and returns the screenshot of the label.
func (e *env) printedLabel(p paper) image.Image {
	img, _ := e.printedLabelAndQR(p)
	return img
}

// printedLabelAndQR is printedLabel, with where the QR code is in the screenshot.
// It fails the test when the label's content does not fit its size.
func (e *env) printedLabelAndQR(p paper) (image.Image, image.Rectangle) {
	e.t.Helper()
	e.choosePaper(p.name)
	cssWidth := int64(math.Ceil(p.pageMM / 25.4 * 96))
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
	if bad := e.overflowing(); len(bad) > 0 {
		e.t.Errorf("%s: the label's content does not fit: %v (text %q)", p.name, bad, e.text("#label"))
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
	px := func(mm float64) float64 { return mm / 25.4 * p.dpi }
	if w := float64(img.Bounds().Dx()); math.Abs(w-px(p.widthMM)) > 8 {
		e.t.Errorf("%s: the label is %.0f px wide, want %.0f mm at %.0f dpi (%.0f px)", p.name, w, p.widthMM, p.dpi, px(p.widthMM))
	}
	if h := float64(img.Bounds().Dy()); p.highMM > 0 && math.Abs(h-px(p.highMM)) > 8 {
		e.t.Errorf("%s: the label is %.0f px high, want %.0f mm at %.0f dpi (%.0f px)", p.name, h, p.highMM, p.dpi, px(p.highMM))
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

// TestPrintedLabel: start an exam from the page for the patient with the
// longest, accented name, and the printed label (tube and desk labels at 300
// and 203 dpi, A4) shows the patient's name (shortened legibly where it does
// not fit) and birth date, the exam's Portuguese name and start date, and a QR
// code of version 3 or lower at level M, about 15 mm wide, that a Go decoder
// reads back into the exam's label code, which verifies with the exam key and
// is printed as text under the code; everything fits the label's size.
func TestPrintedLabel(t *testing.T) {
	e := start(t)
	e.signInLocal()
	p := patientOf(t, longNamed)
	born := "Nasc. " + ddmmaaaa(p.BirthDate)
	id := e.registered(longNamed, 4)
	e.search(longNamed)
	e.do(chromedp.Click(chromedp.CSS(examSel(id) + " .actions button")))
	e.waitText("#status", "Exame iniciado")
	e.waitFor(`!document.getElementById('label-view').hidden`)
	e.choosePaper("a4")
	if got := e.text("#label"); !containsAll(got, born, "Hemoglobina glicada (HbA1c)", id) || !ddmmyyyy.MatchString(got) {
		t.Errorf("label text %q", got)
	}
	var first string
	for _, paper := range []paper{tubeLabel, tubeLabel203, deskLabel, deskLabel203, a4Sheet} {
		t.Run(fmt.Sprintf("%s at %.0f dpi", paper.name, paper.dpi), func(t *testing.T) {
			img, qr := e.printedLabelAndQR(paper)
			// The SVG holds the quiet zone too: 4 modules each side of 29.
			if mm := float64(qr.Dx()) / paper.dpi * 25.4 * 29 / 37; mm < 13 || mm > 17 {
				t.Errorf("the QR code is %.1f mm wide without its quiet zone, want about 15", mm)
			}
			s, err := scanQR(img)
			if err != nil {
				t.Fatalf("decoding the QR code of the %s label: %v", paper.name, err)
			}
			if s.modules > 29 || s.level != "M" {
				t.Errorf("a QR code of %d modules at level %s, want version 3 or lower (29 modules or fewer) at M", s.modules, s.level)
			}
			e.verifiedLabelCode(t, s.text, id, longNamed)
			if printed := e.text("#label-code"); printed != s.text {
				t.Errorf("the text under the code is %q, want the code %q", printed, s.text)
			}
			if got := e.text("#label"); !containsAll(got, born, "Hemoglobina glicada (HbA1c)") {
				t.Errorf("%s: label text %q", paper.name, got)
			}
			e.legiblyShortened(t, p.Name, eval[string](e, `document.getElementById('label-patient').textContent`), paper.name != "a4", false)
			// A stain over the middle of the code (a tenth of its width and height)
			// is within what error correction M recovers.
			if stained, err := decodeQR(stain(img, qr)); err != nil || stained != s.text {
				t.Errorf("a stained label does not scan: %v", err)
			}
			if first == "" {
				first = s.text
			} else if s.text != first {
				t.Error("the formats carry different codes")
			}
		})
	}
}

// longAccentedName is 120 graphemes of a Brazilian name, accents included.
var longAccentedName = func() string {
	name := "Maria da Conceição Aparecida de Araújo Gonçalves Magalhães Brandão Simões Figueiredo Vasconcelos Guimarães Conrado Assunção"
	for utf8.RuneCountInString(name) < 120 {
		name = strings.Replace(name, " Assunção", " Mãe Assunção", 1)
	}
	return string([]rune(name)[:120-len([]rune(" Assunção"))]) + " Assunção"
}()

// TestLabelNames: the label, at both label sizes, carries two identifiers
// of the patient: the name (a long one shortened legibly, never cut inside a
// character; one with HTML shown as text) and the birth date or, without one,
// the patient's record number; it fits, and its QR code still reads back into
// a label code that verifies.
func TestLabelNames(t *testing.T) {
	e := start(t)
	e.signInLocal()
	id := e.registered(maria, 2)
	status, started := e.api("POST", "/exam/start", map[string]any{"document": maria, "exam_id": id, "exam_type": 2})
	if status != 200 {
		t.Fatalf("start: %d %v", status, started)
	}
	if n := utf8.RuneCountInString(longAccentedName); n != 120 {
		t.Fatalf("the long name has %d characters", n)
	}
	patientID := e.listed(maria)[0]["patient_id"].(string)
	// Decomposed accents (a letter, then its combining marks) and a letter with
	// two marks that Unicode has no single character for: a cut between a
	// letter and its mark would show.
	decomposed := "Joaquim Concei\u0063\u0327a\u0303o Branda\u0303o Guimara\u0303es Figueiredo Vasconcelos " + strings.Repeat("E\u0303\u0323a\u0303o", 20)
	for _, tt := range []struct {
		name             string
		patient          map[string]any
		second           string
		shortened, whole bool
	}{
		{"120-character accented name, birth date", map[string]any{"id": patientID, "name": longAccentedName, "birth_date": "1950-03-07"}, "Nasc. 07/03/1950", true, false},
		{"no birth date: the record number", map[string]any{"id": patientID, "name": longAccentedName}, "Pront. " + patientID, true, false},
		{"a name with HTML", map[string]any{"id": patientID, "name": `<img src=x onerror="window.__xss=1">Ana`, "birth_date": "2001-12-31"}, "Nasc. 31/12/2001", false, false},
		{"decomposed accents, one long word", map[string]any{"id": patientID, "name": decomposed, "birth_date": "1999-01-02"}, "Nasc. 02/01/1999", true, false},
		{"a short name, whole", map[string]any{"id": patientID, "name": "Ana Souza", "birth_date": "1999-01-02"}, "Nasc. 02/01/1999", false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			exam, _ := json.Marshal(map[string]any{"exam_id": id, "exam_type": 2, "name": "Perfil lipídico", "started_at": time.Now().UTC().Format(time.RFC3339)})
			patient, _ := json.Marshal(tt.patient)
			code, _ := json.Marshal(started["label_code"])
			e.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`import('/console/label.js').then((m) => m.showLabel(%s, %s, %s))`, exam, code, patient), chromedp.EvalAwaitPromise))
			for _, p := range []paper{tubeLabel, deskLabel203} {
				img := e.printedLabel(p)
				text, err := decodeQR(img)
				if err != nil {
					t.Fatalf("%s: %v", p.name, err)
				}
				e.verifiedLabelCode(t, text, id, maria)
				shown := eval[string](e, `document.getElementById('label-patient').textContent`)
				if got := e.text("#label"); !containsAll(got, tt.second, "Perfil lipídico") || !ddmmyyyy.MatchString(got) {
					t.Errorf("%s: label text %q, want %q", p.name, got, tt.second)
				}
				e.legiblyShortened(t, tt.patient["name"].(string), shown, tt.shortened, tt.whole)
			}
			if eval[bool](e, `document.querySelector('#label img') !== null || window.__xss !== undefined`) {
				t.Error("the patient's name was read as markup")
			}
		})
	}
}

// legiblyShortened checks that shown is name (whole: it must be), or name
// shortened legibly (shortened: it must be):
// whole graphemes of name only (an initial, an ellipsis and spaces aside),
// starting with the first name, ending with an ellipsis or the last name.
func (e *env) legiblyShortened(t *testing.T, name, shown string, shortened, whole bool) {
	t.Helper()
	arg, _ := json.Marshal(name)
	full := strings.Join(strings.Fields(eval[string](e, fmt.Sprintf(`%s.normalize('NFC')`, arg))), " ")
	if shown == full {
		if shortened {
			t.Errorf("the name of %d graphemes is not shortened", len(e.graphemes(full)))
		}
		return
	}
	if whole {
		t.Errorf("the name %q is shown as %q, want it whole", full, shown)
	}
	known := map[string]bool{"…": true, ".": true, " ": true}
	for _, g := range e.graphemes(full) {
		known[g] = true
		known[strings.ToUpper(g)] = true
	}
	for _, g := range e.graphemes(shown) {
		if !known[g] {
			t.Errorf("the shortened name %q has %q, not a whole character of the name", shown, g)
		}
	}
	words := strings.Fields(full)
	if !strings.HasPrefix(shown, words[0]) && !strings.HasSuffix(shown, "…") {
		t.Errorf("the shortened name %q lost the first name %q", shown, words[0])
	}
	if !strings.HasSuffix(shown, words[len(words)-1]) && !strings.HasSuffix(shown, "…") {
		t.Errorf("the shortened name %q neither keeps the last name nor says it is cut", shown)
	}
}

// graphemes splits s as the page does (Intl.Segmenter).
func (e *env) graphemes(s string) []string {
	e.t.Helper()
	arg, _ := json.Marshal(s)
	return eval[[]string](e, fmt.Sprintf(`Array.from(new Intl.Segmenter('pt-BR', { granularity: 'grapheme' }).segment(%s), (x) => x.segment)`, arg))
}

// TestLabelSizeIsRemembered: the label size chosen stays chosen at the next
// visit of the page.
func TestLabelSizeIsRemembered(t *testing.T) {
	e := start(t)
	if got := eval[string](e, `document.getElementById('paper').value`); got != "tube50" {
		t.Fatalf("the first label size is %q, want the tube label", got)
	}
	e.choosePaper("desk62")
	e.do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)))
	if got := eval[string](e, `document.getElementById('paper').value + ' ' + document.getElementById('label').className`); got != "desk62 label paper-desk62" {
		t.Errorf("after a reload: %q, want the desk label", got)
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
// sizes preferred) gives one page, of the label's size or A4's.
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
	}{{"tube50", 50, 25}, {"desk62", 62, 29}, {"a4", 210, 297}} {
		e.choosePaper(p.paper)
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

// TestLabelNamesWithoutSegmenter: in a browser without Intl.Segmenter the
// page still loads, and a name shortened on the label keeps every accent
// with its letter.
func TestLabelNamesWithoutSegmenter(t *testing.T) {
	e := startWith(t, nil, func(ctx context.Context) {
		if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `delete Intl.Segmenter;`}); err != nil {
			t.Fatal(err)
		}
	})
	e.signInLocal()
	id := e.registered(maria, 2)
	status, started := e.api("POST", "/exam/start", map[string]any{"document": maria, "exam_id": id, "exam_type": 2})
	if status != 200 {
		t.Fatalf("start: %d %v", status, started)
	}
	// Every accent written as a combining mark: NFC composes none of these.
	name := "Joaquim " + strings.Repeat("E\u0303\u0323a\u0303o", 40)
	exam, _ := json.Marshal(map[string]any{"exam_id": id, "exam_type": 2, "name": "Perfil lipídico", "started_at": time.Now().UTC().Format(time.RFC3339)})
	patient, _ := json.Marshal(map[string]any{"id": "7f3c9a52-1d4e-4b8a-9c61-2a5b8e0d4f11", "name": name, "birth_date": "1999-01-02"})
	code, _ := json.Marshal(started["label_code"])
	e.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`import('/console/label.js').then((m) => m.showLabel(%s, %s, %s))`, exam, code, patient), chromedp.EvalAwaitPromise))
	if text, err := decodeQR(e.printedLabel(tubeLabel)); err != nil {
		t.Fatal(err)
	} else {
		e.verifiedLabelCode(t, text, id, maria)
	}
	arg, _ := json.Marshal(name)
	full := eval[string](e, fmt.Sprintf(`%s.normalize('NFC')`, arg))
	shown := eval[string](e, `document.getElementById('label-patient').textContent`)
	// Every form the label may take, the one shown among them.
	forms := eval[[]string](e, fmt.Sprintf(`import('/console/label.js').then((m) => m.nameForms(%s))`, arg))
	if !slices.Contains(forms, shown) || shown == full {
		t.Errorf("the name is shown as %q, want one of its shortened forms", shown)
	}
	for _, form := range forms[1:] {
		cut := strings.TrimSuffix(form, "…")
		if cut == form || !strings.HasPrefix(full, cut) {
			t.Fatalf("the form %q is not the name cut short with an ellipsis", form)
		}
		if next := []rune(full[len(cut):])[0]; unicode.Is(unicode.M, next) {
			t.Errorf("the shortened name %q parts an accent (%U) from its letter", form, next)
		}
	}
}
