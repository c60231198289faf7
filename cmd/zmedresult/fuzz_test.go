package main

import (
	"bytes"
	"context"
	"os/exec"
	"testing"
)

// FuzzAppendInfo: any bytes given as a PDF either are refused with an error
// or come back as the very same bytes followed by an update whose information
// dictionary pdfcpu reads both tokens from; never a panic.
func FuzzAppendInfo(f *testing.F) {
	if havePDFTools() {
		for _, pdf := range realPDFs(f) {
			f.Add(pdf)
		}
	}
	f.Add([]byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n9\n%%EOF"))
	f.Add([]byte("%PDF-1.7\nstartxref\n99999999999999999999\n%%EOF\n"))
	tokens := map[string]string{ExamTokenEntry: "Z1EXAM", ResultTokenEntry: "a.b.c"}
	f.Fuzz(func(t *testing.T, pdf []byte) {
		original := bytes.Clone(pdf)
		out, err := appendInfo(context.Background(), pdf, tokens)
		if !bytes.Equal(pdf, original) {
			t.Fatal("the input was changed")
		}
		if err != nil {
			return
		}
		if !bytes.HasPrefix(out, original) {
			t.Fatal("the output does not start with the input")
		}
		info := infoOf(t, out)
		if info[ExamTokenEntry] != tokens[ExamTokenEntry] || info[ResultTokenEntry] != tokens[ResultTokenEntry] {
			t.Fatalf("the update's dictionary reads %q", info)
		}
	})
}

// havePDFTools: img2pdf and qpdf are installed (make pdftools).
func havePDFTools() bool {
	for _, name := range []string{"img2pdf", "qpdf"} {
		if _, err := exec.LookPath(name); err != nil {
			return false
		}
	}
	return true
}
