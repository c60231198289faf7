// Package scantest makes the scans the document tests and the bench read:
// an A4 result page with text-like marks and QR codes, printed at a given
// resolution, then laid on a scanner's glass (turned, tilted, speckled).
// Everything is deterministic: fixed seeds.
package scantest

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// The codes a result page carries: an exam token (a JWT of 377 characters,
// the longest a result holds), and a result token; and the label code's
// short form.
var (
	ExamToken   = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + strings.Repeat("eyJleGFtX2lkIjoiM2Y4YjJhMWMtOWQ0ZS00YjdhLWE2YzMtMWUyZjNhNGI1YzZkIiwicGF0aWVudCI6", 4)[:296] + "." + "c2lnbmF0dXJlLW9mLXRoZS1leGFtLXRva2VuLTAwMDA"
	ResultToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleGFtX2lkIjoiM2Y4YjJhMWMiLCJsYWIiOiJaTUVEIn0.cmVzdWx0LXRva2VuLXNpZ25hdHVyZQ"
	LabelCode   = "ZM1:3F8B2A1C9D4E4B7AA6C31E2F3A4B5C6D:7QK2M9XP"
)

// A4 is the size in pixels of an A4 page Scanned at dpi.
func A4(dpi int) (w, h int) {
	return int(math.Round(8.27 * float64(dpi))), int(math.Round(11.69 * float64(dpi)))
}

// QRModules is the QR code of text at correction level ec, as modules.
func QRModules(text, ec string) *gozxing.BitMatrix {
	hints := map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_ERROR_CORRECTION: ec, gozxing.EncodeHintType_MARGIN: 0}
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 1, 1, hints)
	if err != nil {
		panic(err) // the fixtures' own texts: a programming error
	}
	return m
}

// Code is a QR code to print: its text, where (in mm from the page's top
// left) and how wide (mm).
type Code struct {
	text       string
	x, y, size float64
}

// ResultCodes prints the exam token and the result token at the foot of the
// page, as a laboratory's report template does.
var ResultCodes = Codes(ExamToken, ResultToken)

// Codes places an exam token (JWT or label code) and a result token where
// ResultCodes does; an empty one is not printed.
func Codes(examToken, resultToken string) []Code {
	var codes []Code
	if examToken != "" {
		codes = append(codes, Code{examToken, 20, 225, 40})
	}
	if resultToken != "" {
		codes = append(codes, Code{resultToken, 150, 240, 30})
	}
	return codes
}

// Foot is the foot of the page, from 215 mm down, where Codes prints: a
// smaller image to decode when what a test checks is not the page search.
func Foot(page *image.Gray, dpi int) *image.Gray {
	b := page.Bounds()
	return page.SubImage(image.Rect(b.Min.X, b.Min.Y+int(215*float64(dpi)/25.4), b.Max.X, b.Max.Y)).(*image.Gray)
}

// RenderPage prints a white A4 page at dpi with lines of text-like marks
// (fixed seed) and the codes.
func RenderPage(dpi int, codes []Code) *image.Gray {
	w, h := A4(dpi)
	page := image.NewGray(image.Rect(0, 0, w, h))
	for i := range page.Pix {
		page.Pix[i] = 250
	}
	mm := float64(dpi) / 25.4
	rng := rand.New(rand.NewPCG(24, 17))
	fill := func(x0, y0, x1, y1 int, v byte) {
		for y := max(y0, 0); y < min(y1, h); y++ {
			for x := max(x0, 0); x < min(x1, w); x++ {
				page.Pix[y*w+x] = v
			}
		}
	}
	// Text: 40 lines of words, 2.5 mm high, from 20 mm to 200 mm.
	for line := range 40 {
		y := int((20 + 4.5*float64(line)) * mm)
		for x := 20 * mm; x < 190*mm; {
			word := (3 + rng.Float64()*15) * mm
			fill(int(x), y, int(x+word), y+int(2.5*mm), byte(20+rng.IntN(40)))
			x += word + 2*mm
		}
	}
	for _, c := range codes {
		m := QRModules(c.text, "M")
		module := c.size * mm / float64(m.GetWidth())
		x0, y0 := c.x*mm, c.y*mm
		for my := range m.GetHeight() {
			for mx := range m.GetWidth() {
				if m.Get(mx, my) {
					fill(int(x0+float64(mx)*module), int(y0+float64(my)*module),
						int(x0+float64(mx+1)*module), int(y0+float64(my+1)*module), 15)
				}
			}
		}
	}
	return page
}

// Scanned turns a page by degrees (clockwise, about its centre, onto a
// canvas that holds it all, white around) the way a page lies on a
// scanner's glass, and adds the scanner's speckle (fixed seed).
func Scanned(page *image.Gray, degrees float64, seed uint64) *image.Gray {
	a := degrees * math.Pi / 180
	sin, cos := math.Sin(a), math.Cos(a)
	w, h := float64(page.Bounds().Dx()), float64(page.Bounds().Dy())
	cw, ch := int(math.Ceil(math.Abs(w*cos)+math.Abs(h*sin))), int(math.Ceil(math.Abs(w*sin)+math.Abs(h*cos)))
	out := image.NewGray(image.Rect(0, 0, cw, ch))
	rng := seed*0x9E3779B97F4A7C15 | 1 // xorshift64: local state, cheap under -race
	next := func(n uint64) int {
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		return int(rng % n)
	}
	for y := range ch {
		for x := range cw {
			// The source pixel of (x, y): turned back by degrees.
			dx, dy := float64(x)-float64(cw)/2, float64(y)-float64(ch)/2
			sx, sy := int(cos*dx+sin*dy+w/2), int(-sin*dx+cos*dy+h/2)
			v := 255
			if sx >= 0 && sy >= 0 && sx < int(w) && sy < int(h) {
				v = int(page.Pix[sy*page.Stride+sx])
			}
			v += next(41) - 20  // sensor noise
			if next(500) == 0 { // dust
				v = 0
			}
			out.Pix[y*out.Stride+x] = byte(min(max(v, 0), 255))
		}
	}
	return out
}

// PPM is the image as a binary PPM (P6), the cheapest way to hand pixels to
// another program.
func PPM(img *image.RGBA) []byte {
	b := img.Bounds()
	out := fmt.Appendf(nil, "P6\n%d %d\n255\n", b.Dx(), b.Dy())
	for i := 0; i < len(img.Pix); i += 4 {
		out = append(out, img.Pix[i:i+3]...)
	}
	return out
}

// Page200 is the result page at 200 dpi, rendered once for the tests that
// scan it.
var Page200 = sync.OnceValue(func() *image.Gray { return RenderPage(200, ResultCodes) })

// Tinted is the grey page as colour, on slightly yellow paper with blue
// ink, as a colour scan of a printed report.
func Tinted(g *image.Gray) *image.RGBA {
	c := image.NewRGBA(g.Bounds())
	for i, v := range g.Pix {
		c.Pix[4*i], c.Pix[4*i+1], c.Pix[4*i+2], c.Pix[4*i+3] = v, v, byte(int(v)*9/10+10), 255
	}
	return c
}

// Transposed mirrors the image about its main diagonal.
func Transposed(g *image.Gray) *image.Gray {
	b := g.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			out.Pix[x*out.Stride+y] = g.Pix[y*g.Stride+x]
		}
	}
	return out
}
