// Package pdfs writes real PDFs for tests: a minimal born-digital writer, an
// incremental update appended by hand, and qpdf's rewrites of them (object
// streams, a cross-reference stream, encryption).
package pdfs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Write is a minimal born-digital PDF of pages blank pages with a
// classic cross-reference table, whose information dictionary holds info
// (entries already in PDF syntax, e.g. "/ZMEDExamToken (abc)").
func Write(pages int, info ...string) []byte {
	return write(pages, nil, info)
}

// WriteObjects is Write with extra objects after the pages (numbered from
// 4+pages), e.g. many small ones, or large streams.
func WriteObjects(pages int, extra []string, info ...string) []byte {
	return write(pages, extra, info)
}

func write(pages int, extra, info []string) []byte {
	var objs []string
	kids := make([]string, pages)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", 4+i)
	}
	objs = append(objs,
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages),
		"<< /Producer (zmed test) "+strings.Join(info, " ")+" >>")
	for range pages {
		objs = append(objs, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
	}
	objs = append(objs, extra...)
	return Assemble("/Info 3 0 R", objs...)
}

// Assemble writes objs as objects 1, 2, … of a PDF with a classic
// cross-reference table and a trailer naming object 1 its catalog, plus
// trailer (more trailer entries in PDF syntax, or "").
func Assemble(trailer string, objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, trailer+" ", xref)
	return b.Bytes()
}

// ImagePages is a PDF of n pages, each showing the same grey image XObject
// that declares w × h pixels, with the filter and data given: with data that
// is not an image, a page that were decoded would be unreadable, so a
// refusal as too large proves that nothing was decoded.
func ImagePages(n, w, h int, filter string, data []byte) []byte {
	kids := make([]string, n)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", 4+i)
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n),
		fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /%s /Length %d >>\nstream\n%s\nendstream", w, h, filter, len(data), data),
	}
	for range n {
		objs = append(objs, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 3 0 R >> >> >>")
	}
	return Assemble("", objs...)
}

// Stream is a stream object of n bytes, as an extra object.
func Stream(n int) string {
	return fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", n, strings.Repeat("x", n))
}

// AppendUpdate appends an incremental update to pdf (as a signing tool
// does): a new information dictionary as object next, with entries info, and
// a cross-reference section whose trailer points back with /Prev.
func AppendUpdate(pdf []byte, next int, info ...string) []byte {
	prev := StartXref(pdf)
	b := bytes.NewBuffer(append([]byte(nil), pdf...))
	off := b.Len()
	fmt.Fprintf(b, "%d 0 obj\n<< /Producer (update) %s >>\nendobj\n", next, strings.Join(info, " "))
	xref := b.Len()
	fmt.Fprintf(b, "xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n", next, off)
	fmt.Fprintf(b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", next+1, next, prev, xref)
	return b.Bytes()
}

// StartXref is the offset the last startxref of pdf names.
func StartXref(pdf []byte) int {
	i := bytes.LastIndex(pdf, []byte("startxref"))
	var n int
	fmt.Sscan(string(pdf[i+len("startxref"):]), &n)
	return n
}

// HexString is s as a PDF hex string.
func HexString(s string) string { return fmt.Sprintf("<%X>", s) }

// Qpdf runs the qpdf command (Debian package qpdf, installed by the
// Makefile) on pdf with args and returns what it wrote.
func Qpdf(t testing.TB, pdf []byte, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath("qpdf"); err != nil {
		t.Fatal("qpdf is not installed: run make qpdf")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("qpdf", append(append(args, in), out)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		// qpdf exits 3 for warnings, with the output written.
		var exit *exec.ExitError
		if !(errors.As(err, &exit) && exit.ExitCode() == 3) {
			t.Fatalf("qpdf %v: %v\n%s", args, err, msg)
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Img2pdf wraps images (JPEG, PNG or TIFF files' bytes, of the extension
// ext) into an A4 PDF of one image per page, as scanning software does, with
// the img2pdf command (Debian package img2pdf, installed by make pdftools);
// without it the test is skipped.
func Img2pdf(t testing.TB, ext string, images ...[]byte) []byte {
	t.Helper()
	if _, err := exec.LookPath("img2pdf"); err != nil {
		t.Skip("img2pdf not found; `make pdftools` installs it (img2pdf, qpdf)")
	}
	dir := t.TempDir()
	args := []string{"--pagesize", "A4", "-o", filepath.Join(dir, "scan.pdf")}
	for i, img := range images {
		name := filepath.Join(dir, fmt.Sprintf("page%02d.%s", i, ext))
		if err := os.WriteFile(name, img, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, name)
	}
	if msg, err := exec.Command("img2pdf", args...).CombinedOutput(); err != nil {
		t.Fatalf("img2pdf: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(filepath.Join(dir, "scan.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
