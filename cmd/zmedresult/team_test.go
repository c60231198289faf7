package main

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/draw"
	"image/png"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/document/qrscan"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/labelcode"
	"github.com/zmed/exam-manager/shared/s3results"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/token"
)

var (
	examKey   = []byte("exam-key-the-team-never-holds-0123456789")
	resultKey = []byte("result-key-of-the-execution-team-0123456")
	now       = time.Date(2026, 12, 6, 21, 0, 0, 0, time.UTC)
)

const (
	examA = "0b7c2f4e-9a1d-4c3b-8e5f-6a7b8c9d0e1f"
	examB = "1c8d3a5f-0b2e-4d4c-9f6a-7b8c9d0e1f2a"
)

func labelCodeOf(t *testing.T, examID string) string {
	t.Helper()
	code, err := labelcode.Sign(examKey, labelcode.Exam{ID: examID, PatientID: "patient-1", Type: 1}, now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// pageWithCodes is a PNG page with the QR codes of texts side by side.
func pageWithCodes(t *testing.T, texts ...string) []byte {
	t.Helper()
	page := image.NewGray(image.Rect(0, 0, 300*len(texts)+40, 340))
	for i := range page.Pix {
		page.Pix[i] = 255
	}
	hints := map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_ERROR_CORRECTION: "M", gozxing.EncodeHintType_MARGIN: 4}
	for i, text := range texts {
		qr, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 240, 240, hints)
		if err != nil {
			t.Fatal(err)
		}
		draw.Draw(page, image.Rect(20+300*i, 50, 260+300*i, 290), qr, image.Point{}, draw.Src)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, page); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// grouped is code as a person may type it from the label: lowercase, by fours.
func grouped(code string) string {
	var b strings.Builder
	for i, r := range strings.ToLower(code) {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// putRecorder is an S3 client that keeps the PutObject it was given.
type putRecorder struct {
	in   *s3.PutObjectInput
	body []byte
}

func (p *putRecorder) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	p.in = in
	var err error
	p.body, err = io.ReadAll(in.Body)
	return &s3.PutObjectOutput{}, err
}

func team(s3c Putter) Team {
	key, _ := token.PlainKey(resultKey) // long enough: never an error
	return Team{S3: s3c, Bucket: "results", Completed: "completed", ResultKey: key, TokenTTL: time.Hour,
		Scanner: qrscan.Scanner{}, Now: func() time.Time { return now }}
}

// verifiedResultToken checks that tok is a result token for examID, as the service verifies it.
func verifiedResultToken(t *testing.T, tok, examID string, at time.Time) {
	t.Helper()
	v, err := token.NewVerifier(examKey, resultKey, func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.VerifyResultToken(tok)
	if err != nil || c.ExamID != examID {
		t.Fatalf("result token: %v, exam %q, want %q", err, c.ExamID, examID)
	}
}

func TestUpload(t *testing.T) {
	codeA := labelCodeOf(t, examA)
	issuer, err := token.NewIssuer(examKey, time.Hour, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	examTokenA, err := issuer.IssueExamToken(exam.ExamClaims{ExamID: examA, PatientID: "patient-1", ExamType: 1})
	if err != nil {
		t.Fatal(err)
	}
	pdf := realPDFs(t)["qpdf, xref stream"]
	encrypted := encryptedPDF(t, pdf)
	resultOfA, err := token.MintResultToken(resultKey, examA, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, typed     string
		body            []byte
		key, examToken  string
		inMetadata      bool
		contentType     string
		wantErr         error
		wantAnyErrorToo bool
	}{
		{name: "PNG scan of the label", body: pageWithCodes(t, codeA), key: "completed/2026_12/" + examA + ".png",
			examToken: codeA, inMetadata: true, contentType: "image/png"},
		{name: "JPEG with the code typed", typed: codeA, body: scanOfLabel(t, "not a label code"), key: "completed/2026_12/" + examA + ".jpg",
			examToken: codeA, inMetadata: true, contentType: "image/jpeg"},
		{name: "PNG with the code typed as the label groups it, in lowercase", typed: grouped(codeA), body: pageWithCodes(t, "no label"),
			key: "completed/2026_12/" + examA + ".png", examToken: codeA, inMetadata: true, contentType: "image/png"},
		{name: "PDF with the exam token typed", typed: examTokenA, body: pdf, key: "completed/2026_12/" + examA + ".pdf",
			examToken: examTokenA, contentType: "application/pdf"},
		{name: "encrypted PDF with the code typed: metadata", typed: codeA, body: encrypted, key: "completed/2026_12/" + examA + ".pdf",
			examToken: codeA, inMetadata: true, contentType: "application/pdf"},
		{name: "scan with the label of two exams", body: pageWithCodes(t, codeA, labelCodeOf(t, examB)), wantErr: ErrTwoExams},
		{name: "scan without a label code", body: pageWithCodes(t, "just a QR code"), wantErr: ErrNoLabelCode},
		{name: "neither PDF, PNG nor JPEG", typed: codeA, body: []byte(`{"exam_token": "x"}`), wantErr: ErrUnknownType},
		{name: "a result token typed as the exam's", typed: resultOfA, body: pageWithCodes(t, codeA), wantAnyErrorToo: true},
		{name: "a mistyped label code", typed: codeA[:len(codeA)-1] + "I", body: pageWithCodes(t, codeA), wantAnyErrorToo: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &putRecorder{}
			key, err := team(rec).Upload(context.Background(), tc.body, tc.typed)
			if tc.wantErr != nil || tc.wantAnyErrorToo {
				if err == nil || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) || rec.in != nil {
					t.Fatalf("err %v (uploaded: %v), want %v", err, rec.in != nil, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if key != tc.key || *rec.in.Key != tc.key || *rec.in.Bucket != "results" || *rec.in.ContentType != tc.contentType {
				t.Fatalf("put %s %s (%s), want %s", *rec.in.Bucket, *rec.in.Key, *rec.in.ContentType, tc.key)
			}
			if rec.in.IfNoneMatch == nil || *rec.in.IfNoneMatch != "*" {
				t.Fatal("the upload may overwrite: no If-None-Match: *")
			}
			var got map[string]string
			if tc.inMetadata {
				got = map[string]string{ExamTokenEntry: rec.in.Metadata[s3results.ExamTokenMeta], ResultTokenEntry: rec.in.Metadata[s3results.ResultTokenMeta]}
				if !bytes.Equal(rec.body, tc.body) {
					t.Error("bytes with the tokens in the metadata were changed")
				}
			} else {
				if rec.in.Metadata != nil {
					t.Errorf("a PDF's tokens went in the metadata: %v", rec.in.Metadata)
				}
				if !bytes.HasPrefix(rec.body, tc.body) {
					t.Fatal("the PDF uploaded does not start with the original bytes")
				}
				got = infoOf(t, rec.body)
			}
			if got[ExamTokenEntry] != tc.examToken {
				t.Errorf("exam token %q, want %q", got[ExamTokenEntry], tc.examToken)
			}
			verifiedResultToken(t, got[ResultTokenEntry], examA, now)
		})
	}
}

// TestUploadNeverOverwrites: against an S3 endpoint, a second upload for the
// same exam in the same month is refused and the first stays.
func TestUploadNeverOverwrites(t *testing.T) {
	handler, backend := emulators.S3()
	if err := backend.CreateBucket("results"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	client := s3.NewFromConfig(emulators.Config(srv.URL), func(o *s3.Options) { o.UsePathStyle = true })
	code := labelCodeOf(t, examA)
	first, second := pageWithCodes(t, code), pageWithCodes(t, code, "another mark")
	key, err := team(client).Upload(context.Background(), first, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := team(client).Upload(context.Background(), second, ""); !errors.Is(err, ErrExists) {
		t.Fatalf("second upload: %v, want ErrExists", err)
	}
	got, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("results"), Key: &key})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	if body, _ := io.ReadAll(got.Body); !bytes.Equal(body, first) {
		t.Fatal("the first upload was overwritten")
	}
}

// TestResultTokenQR: the QR code the command writes for the report template
// decodes to a result token the service accepts for the exam.
func TestResultTokenQR(t *testing.T) {
	tm := team(&putRecorder{})
	tok, err := tm.ResultToken(labelCodeOf(t, examA))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := writeQR(&b, tok, 300); err != nil {
		t.Fatal(err)
	}
	codes, err := qrscan.Scanner{}.ImageCodes(context.Background(), b.Bytes(), documentLimits())
	if err != nil || len(codes) != 1 || codes[0] != tok {
		t.Fatalf("decoded %q, %v; want the token", codes, err)
	}
	verifiedResultToken(t, codes[0], examA, now)
}

// TestCommandQRFile: `zmedresult qr` writes a new PNG file and never replaces one.
func TestCommandQRFile(t *testing.T) {
	t.Setenv("ZMED_RESULT_JWT_KEY", string(resultKey))
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	out := filepath.Join(t.TempDir(), "result-qr.png")
	var stdout, stderr bytes.Buffer
	code := labelCodeOf(t, examA)
	if status := run(context.Background(), []string{"qr", "-code", code, "-o", out}, &stdout, &stderr); status != 0 {
		t.Fatalf("exit %d: %s", status, stderr.String())
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := qrscan.Scanner{}.ImageCodes(context.Background(), written, documentLimits())
	if err != nil || len(codes) != 1 {
		t.Fatalf("decoded %q, %v", codes, err)
	}
	verifiedResultToken(t, codes[0], examA, time.Now())
	if status := run(context.Background(), []string{"qr", "-code", code, "-o", out}, &stdout, &stderr); status != 1 {
		t.Fatalf("over an existing file: exit %d", status)
	}
	if status := run(context.Background(), []string{"qr"}, &stdout, &stderr); status != 2 {
		t.Fatalf("without a code: exit %d", status)
	}
}

func documentLimits() document.Limits { return document.DefaultLimits }
