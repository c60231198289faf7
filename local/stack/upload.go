package stack

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/shared/s3results"
)

// ResultKey is the recommended key of a result: completed/YYYY_MM/<exam_id><ext>.
func ResultKey(completed, examID, ext string, at time.Time) string {
	return fmt.Sprintf("%s/%s/%s%s", completed, at.UTC().Format("2006_01"), examID, ext)
}

// Upload puts body at key. Tokens, when given, go in the object's metadata, as
// the exam execution team does for a PDF.
func Upload(ctx context.Context, client *s3.Client, bucket, key, contentType string, body []byte, examToken, resultToken string) error {
	_, err := UploadVersion(ctx, client, bucket, key, contentType, body, examToken, resultToken)
	return err
}

// UploadVersion is Upload, returning the version the upload made ("" in an
// unversioned bucket), which the upload's S3 event names.
func UploadVersion(ctx context.Context, client *s3.Client, bucket, key, contentType string, body []byte, examToken, resultToken string) (string, error) {
	in := &s3.PutObjectInput{
		Bucket: &bucket, Key: &key, ContentType: aws.String(contentType),
		Body: bytes.NewReader(body), // seekable, so the SDK can sign it over plain HTTP
	}
	if examToken != "" || resultToken != "" {
		in.Metadata = map[string]string{s3results.ExamTokenMeta: examToken, s3results.ResultTokenMeta: resultToken}
	}
	out, err := client.PutObject(ctx, in)
	if err != nil {
		return "", fmt.Errorf("upload %s: %w", key, err)
	}
	return aws.ToString(out.VersionId), nil
}
