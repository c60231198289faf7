package stack

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/shared/results"
)

// ResultKey is the recommended key of a result: completed/YYYY_MM/<exam_id><ext>.
func ResultKey(completed, examID, ext string, at time.Time) string {
	return fmt.Sprintf("%s/%s/%s%s", completed, at.UTC().Format("2006_01"), examID, ext)
}

// Upload puts body at key. Tokens, when given, go in the object's metadata, as
// the exam execution team does for a PDF.
func Upload(ctx context.Context, client *s3.Client, bucket, key, contentType string, body []byte, examToken, resultToken string) error {
	in := &s3.PutObjectInput{
		Bucket: &bucket, Key: &key, ContentType: aws.String(contentType),
		Body: bytes.NewReader(body), // seekable, so the SDK can sign it over plain HTTP
	}
	if examToken != "" || resultToken != "" {
		in.Metadata = map[string]string{results.ExamTokenMeta: examToken, results.ResultTokenMeta: resultToken}
	}
	if _, err := client.PutObject(ctx, in); err != nil {
		return fmt.Errorf("upload %s: %w", key, err)
	}
	return nil
}
