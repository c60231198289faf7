package s3results

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// oneObject is an S3 API holding one object, for FuzzRead.
type oneObject struct {
	API
	contentType string
	metadata    map[string]string
	body        []byte
}

func (o oneObject) GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return &s3.GetObjectOutput{
		Body: io.NopCloser(bytes.NewReader(o.body)), ContentLength: aws.Int64(int64(len(o.body))),
		ContentType: aws.String(o.contentType), Metadata: o.metadata, ETag: aws.String(`"etag"`),
	}, nil
}

// FuzzRead reads any object: tokens are found in metadata, or else only in a
// JSON body that is one object with both tokens as strings under their exact
// names; anything else is one of the documented problems.
func FuzzRead(f *testing.F) {
	const exam, result = "eyJhbGciOiJIUzI1NiJ9.eyJleGFtX2lkIjoiMSJ9.c2ln", "eyJhbGciOiJIUzI1NiJ9.eyJleGFtX2lkIjoiMSJ9.cmVz"
	f.Add("application/pdf", "completed/2026_11/a.pdf", exam, result, []byte("%PDF-1.7"))
	f.Add("application/json", "completed/2026_11/a.json", "", "", []byte(`{"exam_token":"`+exam+`","result_token":"`+result+`","lab":"ZMED"}`))
	f.Add("application/json; charset=utf-8", "completed/a", "", "", []byte(`{"exam_token":"e","result_token":"r"}00`))
	f.Add("text/plain", "completed/a.JSON", "", "", []byte(`{"eXAm_token":"e","result_token":"r"}`))
	f.Add("application/vnd.zmed+json", "completed/a", "", result, []byte(`{"exam_token":"e","exam_token":"r"}`))
	f.Fuzz(func(t *testing.T, contentType, key, examMeta, resultMeta string, body []byte) {
		meta := map[string]string{}
		if examMeta != "" {
			meta[ExamTokenMeta] = examMeta
		}
		if resultMeta != "" {
			meta["Result-Token"] = resultMeta // metadata names are case-insensitive in S3
		}
		obj, err := New(oneObject{contentType: contentType, metadata: meta, body: body}).Read(context.Background(), "bucket", key, "")
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		if p := obj.TokenProblem; p != nil {
			if !errors.Is(p, ErrNoTokens) && !errors.Is(p, ErrMalformed) && !errors.Is(p, ErrTooLarge) {
				t.Fatalf("problem %v", p)
			}
			return
		}
		if obj.ExamToken == "" || obj.ResultToken == "" {
			t.Fatalf("no problem, but tokens %q, %q", obj.ExamToken, obj.ResultToken)
		}
		if obj.ExamToken == strings.TrimSpace(examMeta) && obj.ResultToken == strings.TrimSpace(resultMeta) {
			return
		}
		var doc map[string]any
		if !isJSON(contentType, key) || json.Unmarshal(body, &doc) != nil || doc["exam_token"] != obj.ExamToken || doc["result_token"] != obj.ResultToken {
			t.Fatalf("tokens %q, %q read from %q (%s, %q)", obj.ExamToken, obj.ResultToken, body, contentType, key)
		}
	})
}
