package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Entries of the PDF's information dictionary process-result reads.
const (
	ExamTokenEntry   = "ZMEDExamToken"
	ResultTokenEntry = "ZMEDResultToken"
)

// ErrEncryptedPDF: the PDF is encrypted; its dictionary's strings would have
// to be encrypted too, so the tokens go in the object's metadata instead.
var ErrEncryptedPDF = errors.New("the PDF is encrypted")

// startxrefAt finds the last startxref's offset: where the newest
// cross-reference section (table or stream) begins.
var startxrefAt = regexp.MustCompile(`startxref\s+(\d+)\s*%%EOF\s*$`)

// objectStart is the beginning of an indirect object: a cross-reference stream's.
var objectStart = regexp.MustCompile(`^\d+\s+\d+\s+obj\b`)

// ErrDamagedPDF: the file's structure is not where its end says; readers
// repair such a file, but an update appended to it could not be found.
var ErrDamagedPDF = errors.New("the PDF's last cross-reference section is not where its startxref says: repair it first (e.g. qpdf damaged.pdf repaired.pdf)")

// appendInfo returns pdf with an incremental update appended whose new
// information dictionary holds the previous one's entries and entries: a new
// Info object, a cross-reference section of the same kind as the last one (a
// table or a stream) and a trailer whose /Prev names the previous section.
// The original bytes are kept as they are, so a signature over them holds.
func appendInfo(ctx context.Context, pdf []byte, entries map[string]string) ([]byte, error) {
	conf := pdfConfig()
	pc, err := readContext(ctx, pdf, conf)
	if err != nil {
		return nil, fmt.Errorf("read the PDF: %w", err)
	}
	x := pc.XRefTable
	if x.Encrypt != nil {
		return nil, ErrEncryptedPDF
	}
	if x.Root == nil {
		return nil, errors.New("read the PDF: its trailer names no catalog")
	}
	tail := pdf[max(0, len(pdf)-1024):]
	m := startxrefAt.FindSubmatch(tail)
	if m == nil {
		return nil, errors.New("read the PDF: no startxref at its end")
	}
	prev, err := strconv.ParseInt(string(m[1]), 10, 64)
	if err != nil || prev <= 0 || prev >= int64(len(pdf)) {
		return nil, errors.New("read the PDF: its startxref is out of the file")
	}
	section := bytes.TrimLeft(pdf[prev:], " \t\r\n\f\x00")
	xrefStream := !bytes.HasPrefix(section, []byte("xref"))
	if xrefStream && !objectStart.Match(section) {
		return nil, ErrDamagedPDF
	}

	info := types.Dict{}
	old := x.DirectInfoDict
	if x.Info != nil {
		if old, err = x.DereferenceDict(*x.Info); err != nil {
			return nil, fmt.Errorf("read the PDF's information dictionary: %w", err)
		}
	}
	for k, v := range old {
		info[k] = v
	}
	for k, v := range entries {
		info[k] = types.StringLiteral(escapeLiteral(v))
	}

	size := 0
	if x.Size != nil {
		size = *x.Size
	}
	for nr := range x.Table {
		size = max(size, nr+1)
	}
	infoNr := size

	var out bytes.Buffer
	out.Grow(len(pdf) + 1024)
	out.Write(pdf)
	if !bytes.HasSuffix(pdf, []byte("\n")) && !bytes.HasSuffix(pdf, []byte("\r")) {
		out.WriteByte('\n')
	}
	infoAt := out.Len()
	fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", infoNr, dictString(info))

	trailer := fmt.Sprintf("/Root %s /Info %d 0 R /Prev %d", x.Root.PDFString(), infoNr, prev)
	if len(x.ID) == 2 {
		trailer += " /ID " + x.ID.PDFString()
	}
	xrefAt := out.Len()
	if xrefStream {
		// Entries of type 1 (in use, at an offset): the Info object and the
		// stream itself; widths 1, 4 and 2 bytes.
		var rows bytes.Buffer
		for _, at := range []int{infoAt, xrefAt} {
			rows.WriteByte(1)
			_ = binary.Write(&rows, binary.BigEndian, uint32(at))
			rows.Write([]byte{0, 0})
		}
		fmt.Fprintf(&out, "%d 0 obj\n<</Type /XRef /Size %d /Index [%d 2] /W [1 4 2] %s /Length %d>>\nstream\n",
			infoNr+1, infoNr+2, infoNr, trailer, rows.Len())
		out.Write(rows.Bytes())
		out.WriteString("\nendstream\nendobj\n")
	} else {
		fmt.Fprintf(&out, "xref\n%d 1\n%010d 00000 n \ntrailer\n<</Size %d %s>>\n", infoNr, infoAt, infoNr+1, trailer)
	}
	fmt.Fprintf(&out, "startxref\n%d\n%%%%EOF\n", xrefAt)
	if int64(out.Len()) > 1<<32-1 {
		return nil, errors.New("the PDF is too large for its cross-reference stream")
	}
	if err := checkInfo(ctx, out.Bytes(), entries, conf); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// checkInfo reads the updated PDF back as the service does and checks that its
// information dictionary gives the entries: nothing is uploaded that the
// service would not find its tokens in.
func checkInfo(ctx context.Context, pdf []byte, entries map[string]string, conf *model.Configuration) error {
	pc, err := readContext(ctx, pdf, conf)
	var info types.Dict
	if err == nil && pc.XRefTable.Info != nil {
		info, err = pc.XRefTable.DereferenceDict(*pc.XRefTable.Info)
	}
	if err != nil || info == nil {
		return fmt.Errorf("%w (%v)", ErrDamagedPDF, err)
	}
	for k, want := range entries {
		got, ok := info[k].(types.StringLiteral)
		if s, err := types.StringLiteralToString(got); !ok || err != nil || s != want {
			return ErrDamagedPDF
		}
	}
	return nil
}

// pdfConfig is pdfcpu's built-in configuration: no configuration directory
// read or made under the user's home.
func pdfConfig() *model.Configuration {
	conf := model.NewStatelessConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	return conf
}

// readContext reads pdf's structure, a panic of the parser being an error.
func readContext(ctx context.Context, pdf []byte, conf *model.Configuration) (pc *model.Context, err error) {
	defer func() {
		if r := recover(); r != nil {
			pc, err = nil, fmt.Errorf("the PDF parser failed: %v", r)
		}
	}()
	return api.ReadContext(ctx, bytes.NewReader(pdf), conf)
}

// dictString writes d with its keys sorted, so the same entries give the same bytes.
func dictString(d types.Dict) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteString("<<")
	for _, k := range keys {
		b.WriteString("/" + types.EncodeName(k))
		if v := d[k]; v == nil {
			b.WriteString(" null")
		} else {
			b.WriteString(" " + v.PDFString())
		}
	}
	b.WriteString(">>")
	return b.String()
}

// escapeLiteral escapes s for a PDF literal string.
func escapeLiteral(s string) string {
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '(', ')':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			b.WriteString(`\r`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
