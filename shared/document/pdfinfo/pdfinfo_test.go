package pdfinfo_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/document/pdfinfo"
	"github.com/zmed/exam-manager/shared/testsupport/pdfs"
)

const (
	examTok   = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJleGFtIn0.c2lnbmF0dXJl"
	resultTok = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyZXN1bHQifQ.c2ln"
)

var tokenEntries = []string{"/ZMEDExamToken (" + examTok + ")", "/ZMEDResultToken (" + resultTok + ")"}

func TestReadsTheTokensOfEveryKindOfPDF(t *testing.T) {
	born := pdfs.Write(2, tokenEntries...)
	untokened := pdfs.Write(1)
	updated := pdfs.AppendUpdate(untokened, 5, "/ZMEDExamToken "+pdfs.HexString(examTok), "/ZMEDResultToken "+pdfs.HexString(resultTok))
	overwritten := pdfs.AppendUpdate(pdfs.Write(1, "/ZMEDExamToken (old-exam)", "/ZMEDResultToken (old-result)"), 5, tokenEntries...)
	for name, tc := range map[string]struct {
		pdf   []byte
		pages int
	}{
		"born digital, literal strings":                        {born, 2},
		"incremental update with hex strings":                  {updated, 1},
		"the last incremental update wins":                     {overwritten, 1},
		"qpdf object streams and a cross-reference stream":     {pdfs.Qpdf(t, born, "--object-streams=generate"), 2},
		"qpdf object streams over an incremental update":       {pdfs.Qpdf(t, updated, "--object-streams=generate"), 1},
		"encrypted with an owner password only (AES-256)":      {pdfs.Qpdf(t, born, "--encrypt", "", "owner-secret", "256", "--"), 2},
		"encrypted with an owner password only (RC4 128 bits)": {pdfs.Qpdf(t, born, "--allow-weak-crypto", "--encrypt", "", "owner-secret", "128", "--use-aes=n", "--"), 2},
		"junk before the header":                               {append([]byte("junk\n"), born...), 2},
	} {
		t.Run(name, func(t *testing.T) {
			info, err := pdfinfo.Read(context.Background(), tc.pdf)
			if err != nil {
				t.Fatal(err)
			}
			if want := (pdfinfo.Info{ExamToken: examTok, ResultToken: resultTok, Pages: tc.pages}); info != want {
				t.Errorf("got %+v, want %+v", info, want)
			}
		})
	}
}

func TestDocumentsWithoutTokens(t *testing.T) {
	info, err := pdfinfo.Read(context.Background(), pdfs.Write(3))
	if err != nil {
		t.Fatal(err)
	}
	if want := (pdfinfo.Info{Pages: 3}); info != want {
		t.Errorf("got %+v, want %+v", info, want)
	}
	// Entries of another type than a string are no tokens.
	info, err = pdfinfo.Read(context.Background(), pdfs.Write(1, "/ZMEDExamToken 42", "/ZMEDResultToken /Name"))
	if err != nil || info.ExamToken != "" || info.ResultToken != "" {
		t.Errorf("got %+v, %v; want no tokens", info, err)
	}
}

// TestDamagedPDFs: damaged documents end, without a panic, as readable
// (pdfcpu rebuilds what it can), without tokens, or unreadable.
func TestDamagedPDFs(t *testing.T) {
	born := pdfs.Write(1, tokenEntries...)
	updated := pdfs.AppendUpdate(born, 5, tokenEntries...)
	selfPrev := bytes.Replace(updated, []byte("/Prev "+strconv.Itoa(pdfs.StartXref(born))), []byte("/Prev "+strconv.Itoa(pdfs.StartXref(updated))), 1)
	wild := bytes.Replace(updated, []byte("/Prev "), []byte("/Prev 99999"), 1)
	tokens := pdfinfo.Info{ExamToken: examTok, ResultToken: resultTok, Pages: 1}
	for name, tc := range map[string]struct {
		pdf  []byte
		want pdfinfo.Info
		err  error
	}{
		"a cyclic /Prev (naming itself)": {selfPrev, tokens, nil},
		"a /Prev past the end":           {wild, pdfinfo.Info{}, document.ErrUnreadable},
		"a huge object count declared":   {bytes.Replace(born, []byte("/Size 5"), []byte("/Size 2000000000"), 1), pdfinfo.Info{}, document.ErrTooLarge},
		"too many objects written out":   {pdfs.WriteObjects(1, nulls(pdfinfo.MaxObjects+1), tokenEntries...), pdfinfo.Info{}, document.ErrTooLarge},
		"ten thousand objects":           {pdfs.WriteObjects(1, nulls(10_000), tokenEntries...), tokens, nil},
		"truncated in the middle":        {born[:len(born)/2], pdfinfo.Info{Pages: 1}, nil},
		"header only":                    {[]byte("%PDF-1.7\n"), pdfinfo.Info{}, document.ErrUnreadable},
		"encrypted with a user password": {pdfs.Qpdf(t, born, "--encrypt", "user-secret", "owner-secret", "256", "--"), pdfinfo.Info{}, document.ErrUnreadable},
	} {
		t.Run(name, func(t *testing.T) {
			info, err := pdfinfo.Read(context.Background(), tc.pdf)
			if info != tc.want || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Errorf("got %+v, %v; want %+v, %v", info, err, tc.want, tc.err)
			}
		})
	}
}

func TestAnEndedContextIsTheTimeBudget(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := pdfinfo.Read(ctx, pdfs.Write(1, tokenEntries...)); !errors.Is(err, document.ErrTooLarge) {
		t.Errorf("error %v, want document.ErrTooLarge", err)
	}
}

// TestNoConfigurationDirectory: reading touches no configuration directory
// (Lambda's home is read-only). It reads in a fresh process, since the
// configuration is loaded once per process.
func TestNoConfigurationDirectory(t *testing.T) {
	if os.Getenv("ZMED_PDFINFO_CHILD") == "1" {
		if _, err := pdfinfo.Read(context.Background(), pdfs.Write(1, tokenEntries...)); err != nil {
			t.Fatal(err)
		}
		return
	}
	home := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoConfigurationDirectory$")
	cmd.Env = append(os.Environ(), "ZMED_PDFINFO_CHILD=1", "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if entries, _ := os.ReadDir(home); len(entries) != 0 {
		t.Errorf("reading wrote %v into the home directory", entries)
	}
}

// nulls are n null objects.
func nulls(n int) []string {
	objs := make([]string, n)
	for i := range objs {
		objs[i] = "null"
	}
	return objs
}
