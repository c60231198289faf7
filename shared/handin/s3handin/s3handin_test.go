package s3handin

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/s3results"
)

// TestMetadataNamesAreTheFilings: the names Head reads are the ones the filing writes.
func TestMetadataNamesAreTheFilings(t *testing.T) {
	if reasonMeta != s3results.ReasonMeta || sourceKeyMeta != s3results.SourceKeyMeta {
		t.Fatalf("%q, %q; the filing writes %q, %q", reasonMeta, sourceKeyMeta, s3results.ReasonMeta, s3results.SourceKeyMeta)
	}
}

// TestFormsGoToTheBucketsOwnOrigin: in AWS the form's URL is the bucket's
// virtual-hosted origin, https://<bucket>.s3.<region>.amazonaws.com, which
// the template gives the console as its connect-src (ZMED_CONSOLE_RESULTS_ORIGIN).
func TestFormsGoToTheBucketsOwnOrigin(t *testing.T) {
	for _, region := range []string{"sa-east-1", "us-east-1"} {
		cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "session")}
		const bucket = "zmed-exams-result-prod-123456789012-sa-east-1"
		form, err := PresignerFromConfig(cfg).PresignUpload(context.Background(), bucket, "completed/k.pdf", exam.DocumentPDF, 3, 5*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if want := "https://" + bucket + ".s3." + region + ".amazonaws.com"; form.URL != want {
			t.Errorf("%s: form URL %q, want %q", region, form.URL, want)
		}
		if form.Fields["X-Amz-Security-Token"] != "session" || form.Fields["key"] != "completed/k.pdf" || form.Fields["Content-Type"] != "application/pdf" {
			t.Errorf("%s: fields %v", region, form.Fields)
		}
		if d := time.Until(form.ExpiresAt); d <= 4*time.Minute || d > 5*time.Minute {
			t.Errorf("%s: expires in %v", region, d)
		}
	}
}
