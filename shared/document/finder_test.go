package document_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/token"
)

var (
	examKey   = []byte("test-exam-token-key-0123456789abcdef")
	resultKey = []byte("test-result-token-key-0123456789abcdef")
	now       = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
)

// tokensFor signs an exam token and a result token of examID.
func tokensFor(t testing.TB, examID string) document.Tokens {
	t.Helper()
	iss, err := token.NewIssuer(examKey, time.Hour, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	et, err := iss.IssueExamToken(exam.ExamClaims{ExamID: examID, PatientID: "patient-1", ExamType: 1})
	if err != nil {
		t.Fatal(err)
	}
	rt, err := token.MintResultToken(resultKey, examID, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return document.Tokens{Exam: et, Result: rt}
}

func verifier(t testing.TB) exam.TokenVerifier {
	v, err := token.NewVerifier(examKey, resultKey, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// infoDouble is an InfoReader that answers what a PDF's dictionary holds.
type infoDouble struct {
	tokens document.Tokens
	pages  int
	err    error
	calls  *int
}

func (d infoDouble) Tokens(context.Context, []byte) (document.Tokens, int, error) {
	if d.calls != nil {
		*d.calls++
	}
	return d.tokens, d.pages, d.err
}

// scannerDouble is a CodeScanner whose documents hold the codes of pages
// (an image is page 0); it counts the pages it decoded.
type scannerDouble struct {
	pages   [][]string
	err     error
	panics  bool
	decoded *int
}

func (s scannerDouble) ImageCodes(context.Context, []byte, document.Limits) ([]string, error) {
	if s.panics {
		panic("decoder bug")
	}
	*s.decoded++
	if len(s.pages) == 0 {
		return nil, s.err
	}
	return s.pages[0], s.err
}

func (s scannerDouble) PDFPageCodes(ctx context.Context, _ []byte, _ document.Limits, visit func([]string) bool) error {
	if s.panics {
		panic("decoder bug")
	}
	for _, codes := range s.pages {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		*s.decoded++
		if visit(codes) {
			return nil
		}
	}
	return s.err
}

var (
	pdf  = []byte("%PDF-1.7\n...")
	png  = []byte("\x89PNG\r\n\x1a\n....")
	jpeg = []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}
)

func TestFind(t *testing.T) {
	a, b := tokensFor(t, "exam-a"), tokensFor(t, "exam-b")
	garbage := string(make([]byte, 3000))
	old, err := token.NewIssuer(examKey, time.Hour, func() time.Time { return now.Add(-48 * time.Hour) })
	if err != nil {
		t.Fatal(err)
	}
	expired, _ := old.IssueExamToken(exam.ExamClaims{ExamID: "exam-a", PatientID: "patient-1", ExamType: 1})
	for name, tc := range map[string]struct {
		body    []byte
		info    infoDouble
		pages   [][]string
		scanErr error
		want    document.Tokens
		err     error
		decoded int // pages the scanner decoded
	}{
		"the dictionary holds both: no page is decoded": {body: pdf, info: infoDouble{tokens: a, pages: 3}, pages: [][]string{{b.Exam, b.Result}}, want: a},
		"QR codes on the second page of a PDF, the third is never decoded": {body: pdf, info: infoDouble{pages: 3},
			pages: [][]string{{"noise"}, {a.Result, a.Exam}, {b.Exam, b.Result}}, want: a, decoded: 2},
		"the dictionary's exam token, the result token's QR":          {body: pdf, info: infoDouble{tokens: document.Tokens{Exam: a.Exam}, pages: 1}, pages: [][]string{{a.Result}}, want: a, decoded: 1},
		"tokens spread over two pages":                                {body: pdf, info: infoDouble{pages: 2}, pages: [][]string{{a.Exam}, {a.Result}}, want: a, decoded: 2},
		"another exam's token beside the pair of one exam":            {body: png, pages: [][]string{{b.Exam, a.Result, garbage, a.Exam}}, want: a, decoded: 1},
		"tokens of two exams only: the first of each kind, to refuse": {body: jpeg, pages: [][]string{{b.Exam, a.Result}}, want: document.Tokens{Exam: b.Exam, Result: a.Result}, decoded: 1},
		"an expired exam token is still taken, to be refused as such": {body: png, pages: [][]string{{expired, a.Result}}, want: document.Tokens{Exam: expired, Result: a.Result}, decoded: 1},
		"only a result token":                                         {body: png, pages: [][]string{{a.Result}}, err: document.ErrNoTokens, decoded: 1},
		"no code at all":                                              {body: jpeg, pages: nil, err: document.ErrNoTokens, decoded: 1},
		"a PDF without tokens in its dictionary or on its pages":      {body: pdf, info: infoDouble{pages: 2}, pages: [][]string{{}, {"x"}}, err: document.ErrNoTokens, decoded: 2},
		"bytes of no known type":                                      {body: []byte("ZMEDExamToken " + a.Exam), err: document.ErrNoTokens},
		"an unreadable PDF":                                           {body: pdf, info: infoDouble{err: document.ErrUnreadable}, err: document.ErrUnreadable},
		"an unreadable image":                                         {body: png, scanErr: document.ErrUnreadable, err: document.ErrUnreadable, decoded: 1},
		"too many pages: none is decoded":                             {body: pdf, info: infoDouble{pages: 21}, pages: [][]string{{a.Exam, a.Result}}, err: document.ErrTooLarge},
		"a reader's error of no documented kind":                      {body: png, scanErr: errors.New("decoder: odd marker"), err: document.ErrUnreadable, decoded: 1},
		"an image beyond the pixel limits":                            {body: png, scanErr: document.ErrTooLarge, err: document.ErrTooLarge, decoded: 1},
	} {
		t.Run(name, func(t *testing.T) {
			decoded := 0
			f := document.Finder{Info: tc.info, Codes: scannerDouble{pages: tc.pages, err: tc.scanErr, decoded: &decoded}, Tokens: verifier(t), Limits: document.DefaultLimits}
			got, err := f.Find(context.Background(), tc.body)
			if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Errorf("got %+v, %v; want %+v, %v", got, err, tc.want, tc.err)
			}
			if decoded != tc.decoded {
				t.Errorf("the scanner decoded %d pages, want %d", decoded, tc.decoded)
			}
		})
	}
}

func TestFindLimits(t *testing.T) {
	a := tokensFor(t, "exam-a")
	calls, decoded := 0, 0
	lim := document.DefaultLimits
	lim.MaxBytes = 8
	f := document.Finder{Info: infoDouble{tokens: a, calls: &calls}, Codes: scannerDouble{decoded: &decoded}, Tokens: verifier(t), Limits: lim}
	if _, err := f.Find(context.Background(), pdf); !errors.Is(err, document.ErrTooLarge) || calls != 0 {
		t.Errorf("a body over MaxBytes: %v after %d reads, want ErrTooLarge before any", err, calls)
	}

	// A spent budget is ErrTooLarge, whatever the scanner says of it.
	lim = document.DefaultLimits
	lim.Budget = time.Nanosecond
	f = document.Finder{Info: infoDouble{pages: 2}, Codes: scannerDouble{pages: [][]string{{a.Exam}, {a.Result}}, decoded: &decoded}, Tokens: verifier(t), Limits: lim}
	if _, err := f.Find(context.Background(), pdf); !errors.Is(err, document.ErrTooLarge) {
		t.Errorf("a spent budget: %v, want ErrTooLarge", err)
	}

	// The invocation's own deadline is not the document's fault: its error, to retry.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f.Limits = document.DefaultLimits
	_, err := f.Find(ctx, pdf)
	if !errors.Is(err, context.Canceled) || errors.Is(err, document.ErrTooLarge) {
		t.Errorf("an ended invocation: %v, want context.Canceled only", err)
	}
}

func TestFindWithoutScannerReadsOnlyTheDictionary(t *testing.T) {
	a := tokensFor(t, "exam-a")
	for name, tc := range map[string]struct {
		body []byte
		info infoDouble
		want document.Tokens
		err  error
	}{
		"the dictionary holds both": {body: pdf, info: infoDouble{tokens: a, pages: 1}, want: a},
		"it holds one":              {body: pdf, info: infoDouble{tokens: document.Tokens{Exam: a.Exam}, pages: 1}, err: document.ErrNoTokens},
		"an image":                  {body: jpeg, err: document.ErrNoTokens},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := document.Finder{Info: tc.info, Tokens: verifier(t), Limits: document.DefaultLimits}.Find(context.Background(), tc.body)
			if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Errorf("got %+v, %v; want %+v, %v", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestAPanickingDecoderIsUnreadable(t *testing.T) {
	decoded := 0
	f := document.Finder{Info: infoDouble{pages: 1}, Codes: scannerDouble{panics: true, decoded: &decoded}, Tokens: verifier(t), Limits: document.DefaultLimits}
	for _, body := range [][]byte{pdf, png} {
		if _, err := f.Find(context.Background(), body); !errors.Is(err, document.ErrUnreadable) {
			t.Errorf("%v, want ErrUnreadable", err)
		}
	}
}

func TestSniff(t *testing.T) {
	for body, want := range map[string]document.Kind{
		"%PDF-1.4\n":                         document.PDF,
		"\r\n\r\n%PDF-1.7":                   document.PDF,
		string(make([]byte, 1100)) + "%PDF-": document.Unknown, // past the header window
		"\x89PNG\r\n\x1a\n":                  document.PNG,
		"\xFF\xD8\xFF\xE1":                   document.JPEG,
		"{\"exam_token\":\"x\"}":             document.Unknown,
		"":                                   document.Unknown,
		"GIF89a":                             document.Unknown,
	} {
		if got := document.Sniff([]byte(body)); got != want {
			t.Errorf("Sniff(%.12q) = %v, want %v", body, got, want)
		}
	}
}
