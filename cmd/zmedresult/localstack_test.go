package main

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/local/stack/stacktest"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/s3results"
	"github.com/zmed/exam-manager/shared/testsupport/apitest"
	"github.com/zmed/exam-manager/shared/testsupport/pdfs"
)

const patientDocument = "529.982.247-25" // a patient of local/patients.json

// scanOfLabel is a scan-like JPEG of a page with the label's QR code (the
// label code, correction level M, as the console prints it) and some speckle.
func scanOfLabel(t *testing.T, labelCode string) []byte {
	t.Helper()
	hints := map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_ERROR_CORRECTION: "M", gozxing.EncodeHintType_MARGIN: 4}
	qr, err := qrcode.NewQRCodeWriter().Encode(labelCode, gozxing.BarcodeFormat_QR_CODE, 240, 240, hints)
	if err != nil {
		t.Fatal(err)
	}
	page := image.NewGray(image.Rect(0, 0, 850, 1100))
	for i := range page.Pix {
		page.Pix[i] = 245
		if i%97 == 0 { // fixed speckle
			page.Pix[i] = 90
		}
	}
	draw.Draw(page, image.Rect(500, 800, 740, 1040), qr, image.Point{}, draw.Src)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, page, &jpeg.Options{Quality: 70}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestUploadAScanOnTheLocalStack: the command reads the label code from a
// scanned label (a JPEG, or a scanner's PDF) or takes it typed, signs the
// result token with the local result key, puts both tokens in a PDF's
// dictionary or an image's metadata, uploads to completed/, and the local
// stack files the result and finishes the exam.
func TestUploadAScanOnTheLocalStack(t *testing.T) {
	s, cfg := stacktest.Start(t, "../../local/patients.json", nil)
	api := func(method, path string, body any) map[string]any {
		t.Helper()
		status, _, out := apitest.Call(t, s.APIURL, method, path, body, nil)
		if status >= 300 || out == nil {
			t.Fatalf("%s %s: %d %v", method, path, status, out)
		}
		return out
	}
	// The team's environment: the local result key, never the exam key.
	for k, v := range map[string]string{
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
		"AWS_REQUEST_CHECKSUM_CALCULATION": "when_required", "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required",
		"AWS_ENDPOINT_URL_S3": s.S3URL, "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		config.BucketVar: cfg.Bucket, config.ResultKeyVar: stack.LocalResultKey,
	} {
		t.Setenv(k, v)
	}
	tests := []struct {
		name, ext string
		document  func(t *testing.T, labelCode string) []byte
		typed     bool // the label code is typed (-code), not read from the document
	}{
		{"a JPEG scan of the label (tokens as metadata)", "jpg", scanOfLabel, false},
		{"a scanner's PDF of the label, by img2pdf (tokens into its dictionary)", "pdf", func(t *testing.T, labelCode string) []byte {
			return pdfs.Img2pdf(t, "jpg", scanOfLabel(t, labelCode))
		}, false},
		{"a laboratory's PDF with the label code typed (tokens into its dictionary)", "pdf", func(*testing.T, string) []byte { return pdfs.Write(2) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			created := api("POST", "/exam/new", map[string]any{"document": patientDocument, "exam_type": 1})
			examID := created["exam_id"].(string)
			started := api("POST", "/exam/start", map[string]any{"document": patientDocument, "exam_id": examID, "exam_type": 1})
			labelCode, _ := started["label_code"].(string)
			if labelCode == "" {
				t.Fatalf("start gave no label code: %v", started)
			}
			original := tt.document(t, labelCode)
			file := filepath.Join(t.TempDir(), "laudo."+tt.ext)
			if err := os.WriteFile(file, original, 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{"upload", file}
			if tt.typed {
				args = []string{"upload", "-code", labelCode, file}
			}
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			month := time.Now().UTC().Format("2006_01")
			uploaded := "completed/" + month + "/" + examID + "." + tt.ext
			if want := "uploaded s3://" + cfg.Bucket + "/" + uploaded + "\n"; stdout.String() != want {
				t.Fatalf("stdout %q, want %q", stdout.String(), want)
			}

			processed := "processed/" + month + "/" + examID + "." + tt.ext
			began := time.Now()
			for !(exists(t, s.S3Client(), cfg.Bucket, processed) && statusOf(t, api, examID) == "Finished") {
				if time.Since(began) > 30*time.Second { // only stops a hang; elapsed time is no verdict
					t.Fatalf("not filed to %s with the exam Finished within 30s (status %s)", processed, statusOf(t, api, examID))
				}
				time.Sleep(20 * time.Millisecond)
			}
			if tt.ext == "pdf" {
				// The tokens travelled in the PDF, as an incremental update:
				// the original bytes unchanged, no metadata.
				out, err := s.S3Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: &cfg.Bucket, Key: &processed})
				if err != nil {
					t.Fatal(err)
				}
				body, err := io.ReadAll(out.Body)
				_ = out.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(body, original) || len(body) == len(original) {
					t.Error("the filed PDF is not the original with an update appended")
				}
				if out.Metadata[s3results.ExamTokenMeta] != "" || out.Metadata[s3results.ResultTokenMeta] != "" {
					t.Error("the PDF's tokens were sent as metadata, not in its dictionary")
				}
			}
			if strings.Contains(stdout.String()+stderr.String(), labelCode) {
				t.Error("the command's output carries the label code")
			}
		})
	}
}

func exists(t *testing.T, c *s3.Client, bucket, key string) bool {
	t.Helper()
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &key})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Contents) == 1
}

func statusOf(t *testing.T, api func(string, string, any) map[string]any, examID string) string {
	t.Helper()
	page := api("GET", "/exams/info?document="+patientDocument+"&limit=100", nil)
	for _, x := range page["exams"].([]any) {
		if m := x.(map[string]any); m["exam_id"] == examID {
			return m["status"].(string)
		}
	}
	t.Fatalf("exam %s not listed", examID)
	return ""
}
