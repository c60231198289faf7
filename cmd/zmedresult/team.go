package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/shared/base64url"
	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/labelcode"
	"github.com/zmed/exam-manager/shared/s3results"
	"github.com/zmed/exam-manager/shared/token"
)

// Putter is the part of the S3 client the team's upload uses.
type Putter interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Team is what the execution team's command does with a result: it holds the
// result token key, never the exam token key.
type Team struct {
	S3        Putter
	Bucket    string
	Completed string        // the results bucket's completed folder
	ResultKey token.Key     // the current one, named in the kid of the tokens it signs
	TokenTTL  time.Duration // of the result tokens it signs
	Scanner   document.CodeScanner
	Now       func() time.Time
}

// kinds are the result types the command uploads, by what their bytes are
// (as process-result sniffs them).
var kinds = map[document.Kind]struct{ ext, contentType string }{
	document.PDF:  {"pdf", "application/pdf"},
	document.PNG:  {"png", "image/png"},
	document.JPEG: {"jpg", "image/jpeg"},
}

var (
	// ErrNoLabelCode: no label code was typed and none was found on the scan.
	ErrNoLabelCode = errors.New("no label code on the document: type it (-code)")
	// ErrTwoExams: the scan carries the label codes of more than one exam.
	ErrTwoExams = errors.New("the document carries the label codes of more than one exam: type the right one (-code)")
	// ErrUnknownType: the bytes are not a PDF, PNG or JPEG.
	ErrUnknownType = errors.New("the file is not a PDF, PNG or JPEG")
	// ErrExists: a result for this exam was already uploaded this month.
	ErrExists = errors.New("a result for this exam is already in completed/ this month (never overwritten)")
)

// Upload puts body, a result document, in completed/YYYY_MM/<exam id>.<ext>
// with both tokens: in a PDF's information dictionary (an incremental update),
// or as the object's metadata for an image. examToken is a label code or an
// exam token; when empty, the label code is read from the document's QR codes.
// It returns the object's key.
func (t Team) Upload(ctx context.Context, body []byte, examToken string) (string, error) {
	kind, ok := kinds[document.Sniff(body)]
	if !ok {
		return "", ErrUnknownType
	}
	if examToken == "" {
		var err error
		if examToken, err = t.labelCodeOf(ctx, body, kind.ext == "pdf"); err != nil {
			return "", err
		}
	}
	examToken, examID, err := examTokenOf(examToken)
	if err != nil {
		return "", err
	}
	resultToken, err := t.ResultKey.MintResultToken(examID, t.Now(), t.TokenTTL)
	if err != nil {
		return "", err
	}
	in := &s3.PutObjectInput{Bucket: &t.Bucket, ContentType: aws.String(kind.contentType), IfNoneMatch: aws.String("*")}
	tokens := map[string]string{ExamTokenEntry: examToken, ResultTokenEntry: resultToken}
	switch {
	case kind.ext == "pdf":
		updated, err := appendInfo(ctx, body, tokens)
		switch {
		case errors.Is(err, ErrEncryptedPDF):
			in.Metadata = metadata(examToken, resultToken) // process-result reads the metadata first
		case err != nil:
			return "", err
		default:
			body = updated
		}
		if int64(len(body)) > document.DefaultLimits.MaxBytes {
			// process-result does not read a body this large, only metadata.
			in.Metadata = metadata(examToken, resultToken)
		}
	default:
		in.Metadata = metadata(examToken, resultToken)
	}
	key := fmt.Sprintf("%s/%s/%s.%s", t.Completed, t.Now().UTC().Format("2006_01"), examID, kind.ext)
	in.Key, in.Body = &key, bytes.NewReader(body)
	if _, err := t.S3.PutObject(ctx, in); err != nil {
		if s3results.IsPreconditionFailed(err) {
			return "", ErrExists
		}
		return "", fmt.Errorf("upload: %w", err)
	}
	return key, nil
}

func metadata(examToken, resultToken string) map[string]string {
	return map[string]string{s3results.ExamTokenMeta: examToken, s3results.ResultTokenMeta: resultToken}
}

// ResultToken signs a result token for the exam examToken (a label code or an
// exam token) names.
func (t Team) ResultToken(examToken string) (string, error) {
	_, examID, err := examTokenOf(examToken)
	if err != nil {
		return "", err
	}
	return t.ResultKey.MintResultToken(examID, t.Now(), t.TokenTTL)
}

// labelCodeOf reads the label code from the document's QR codes: the first
// page that carries one, and only one exam's.
func (t Team) labelCodeOf(ctx context.Context, body []byte, pdf bool) (string, error) {
	var found []string
	var err error
	pick := func(codes []string) bool {
		for _, c := range codes {
			if _, err := labelcode.ExamID(c); err == nil && !contains(found, c) {
				found = append(found, c)
			}
		}
		return len(found) > 0
	}
	if pdf {
		err = t.Scanner.PDFPageCodes(ctx, body, document.DefaultLimits, pick)
	} else {
		var codes []string
		codes, err = t.Scanner.ImageCodes(ctx, body, document.DefaultLimits)
		pick(codes)
	}
	switch {
	case err != nil:
		return "", fmt.Errorf("read the label code from the document: %w", err)
	case len(found) == 0:
		return "", ErrNoLabelCode
	case len(found) > 1:
		return "", ErrTwoExams
	}
	return found[0], nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// examTokenOf returns the exam token to carry and the exam it names, without
// any key: the service verifies it, not the team. A typed label code is taken
// as the label prints it too (in groups, any case): spaces are removed and
// letters uppercased, giving the code's one spelling.
func examTokenOf(typed string) (examToken, examID string, err error) {
	typed = strings.TrimSpace(typed)
	if code := strings.ToUpper(strings.Join(strings.Fields(typed), "")); strings.HasPrefix(code, labelcode.Prefix) && !strings.Contains(code, ".") {
		id, err := labelcode.ExamID(code)
		if err != nil {
			return "", "", fmt.Errorf("the label code: %w", err)
		}
		return code, id, nil
	}
	parts := strings.Split(typed, ".")
	if len(parts) != 3 {
		return "", "", errors.New("neither a label code nor an exam token")
	}
	payload, err := base64url.Decode(parts[1])
	var claims struct {
		Issuer string `json:"iss"`
		ExamID string `json:"exam_id"`
	}
	if err == nil {
		err = json.Unmarshal(payload, &claims)
	}
	if err != nil || claims.Issuer != token.ExamIssuer || claims.ExamID == "" {
		return "", "", errors.New("not an exam token")
	}
	return typed, claims.ExamID, nil
}
