package main

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// tool runs a third-party program the test needs (Debian's img2pdf and qpdf).
func tool(t testing.TB, name string, args ...string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not found; `make pdftools` installs it (img2pdf, qpdf)", name)
	}
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// smallPNG is a small grey page, enough for img2pdf to wrap.
func smallPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 40, 60))
	for i := range img.Pix {
		img.Pix[i] = uint8(200 + i%50)
	}
	img.Set(3, 3, color.Black)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// realPDFs are PDFs written by third-party tools: img2pdf's (a cross-reference
// table, an information dictionary with a title), and the same rewritten by
// qpdf with object streams and a cross-reference stream.
func realPDFs(t testing.TB) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "page.png")
	if err := os.WriteFile(in, smallPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	table, stream := filepath.Join(dir, "img2pdf.pdf"), filepath.Join(dir, "qpdf.pdf")
	tool(t, "img2pdf", in, "--title", "Hemograma (laudo)", "-o", table)
	tool(t, "qpdf", "--object-streams=generate", "--compress-streams=y", table, stream)
	pdfs := map[string][]byte{}
	for name, path := range map[string]string{"img2pdf, xref table": table, "qpdf, xref stream": stream} {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		pdfs[name] = raw
	}
	if !bytes.Contains(pdfs["qpdf, xref stream"], []byte("/XRef")) || !bytes.Contains(pdfs["qpdf, xref stream"], []byte("/ObjStm")) {
		t.Fatal("qpdf wrote no cross-reference stream or object stream: not the PDF this test needs")
	}
	return pdfs
}

// infoOf reads the information dictionary of pdf with pdfcpu, the reader the
// service uses, as strings.
func infoOf(t testing.TB, pdf []byte) map[string]string {
	t.Helper()
	pc, err := api.ReadContext(context.Background(), bytes.NewReader(pdf), pdfConfig())
	if err != nil {
		t.Fatalf("pdfcpu: %v", err)
	}
	if pc.XRefTable.Info == nil {
		t.Fatal("no information dictionary")
	}
	d, err := pc.XRefTable.DereferenceDict(*pc.XRefTable.Info)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range d {
		switch s := v.(type) {
		case types.StringLiteral:
			out[k], err = types.StringLiteralToString(s)
		case types.HexLiteral:
			out[k], err = types.HexLiteralToString(s)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// qpdfCheck has qpdf check the PDF's structure (its cross-reference sections
// included): a third party's verdict, not our own reader's.
func qpdfCheck(t *testing.T, pdf []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("qpdf", "--check", path).CombinedOutput()
	if err != nil || strings.Contains(string(out), "WARNING") {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
}

func TestAppendInfoIsAnIncrementalUpdate(t *testing.T) {
	const labelCode = "Z1ABC $%*+-./:XYZ"
	for name, original := range realPDFs(t) {
		t.Run(name, func(t *testing.T) {
			input := bytes.Clone(original)
			got, err := appendInfo(context.Background(), input, map[string]string{ExamTokenEntry: labelCode, ResultTokenEntry: "a.b(c)\\d"})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(input, original) {
				t.Fatal("the input was changed in place")
			}
			if !bytes.HasPrefix(got, original) || len(got) == len(original) {
				t.Fatal("the output does not start with the original bytes followed by an update")
			}
			info := infoOf(t, got)
			want := map[string]string{ExamTokenEntry: labelCode, ResultTokenEntry: "a.b(c)\\d", "Title": "Hemograma (laudo)"}
			for k, v := range want {
				if info[k] != v {
					t.Errorf("%s = %q, want %q", k, info[k], v)
				}
			}
			if producer := infoOf(t, original)["Producer"]; producer == "" || info["Producer"] != producer {
				t.Errorf("Producer %q, want the original's %q", info["Producer"], producer)
			}
			qpdfCheck(t, got)
			update := got[len(original):]
			if strings.Contains(name, "stream") != bytes.Contains(update, []byte("/Type /XRef")) {
				t.Errorf("the update's cross-reference section is not of the original's kind:\n%s", update)
			}
			if !bytes.Contains(update, []byte("/Prev ")) {
				t.Errorf("the update's trailer has no /Prev:\n%s", update)
			}

			// A second update (e.g. a corrected result token): the last one wins.
			again, err := appendInfo(context.Background(), got, map[string]string{ResultTokenEntry: "second"})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(again, got) {
				t.Fatal("the second update changed the first's bytes")
			}
			if info := infoOf(t, again); info[ResultTokenEntry] != "second" || info[ExamTokenEntry] != labelCode {
				t.Errorf("after a second update: %q", info)
			}
			qpdfCheck(t, again)
		})
	}
}

// encryptedPDF is pdf encrypted by qpdf with an owner password only (it
// opens without a password).
func encryptedPDF(t *testing.T, pdf []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	plain, encrypted := filepath.Join(dir, "plain.pdf"), filepath.Join(dir, "encrypted.pdf")
	if err := os.WriteFile(plain, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	tool(t, "qpdf", "--encrypt", "", "owner-secret", "256", "--", plain, encrypted)
	enc, err := os.ReadFile(encrypted)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

func TestAppendInfoRefuses(t *testing.T) {
	table := realPDFs(t)["img2pdf, xref table"]
	enc := encryptedPDF(t, table)
	tests := []struct {
		name string
		pdf  []byte
		want error
	}{
		{"encrypted (owner password only)", enc, ErrEncryptedPDF},
		{"truncated", table[:len(table)/2], nil},
		{"startxref not at a cross-reference section", startxrefAt.ReplaceAll(table, []byte("startxref\n9\n%%EOF\n")), ErrDamagedPDF},
		{"not a PDF", []byte("%PDF-1.7\nno objects here\n"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := appendInfo(context.Background(), tc.pdf, map[string]string{ExamTokenEntry: "x"})
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}
