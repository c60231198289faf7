// Package results reads and files the result objects in S3: it implements the
// processor's Objects port. A result object carries its two tokens as user
// metadata (exam-token, result-token) or, for a JSON object, in its body. After
// processing, an object is moved (copy, then delete) to its outcome folder,
// never over a different object.
package results

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/zmed/exam-manager/shared/awsenv"
	"github.com/zmed/exam-manager/shared/processor"
	"github.com/zmed/exam-manager/shared/strictjson"
)

// MaxJSONBody is the largest JSON body read for tokens.
const MaxJSONBody = 10 << 20

// Metadata keys of a result object (x-amz-meta-exam-token, x-amz-meta-result-token).
const (
	ExamTokenMeta   = "exam-token"
	ResultTokenMeta = "result-token"
	// sourceETagMeta marks a moved copy with the ETag of its source, so that a
	// retried move recognises its own earlier copy.
	sourceETagMeta = "zmed-source-etag"
)

// Problems with an object's tokens: the object goes to stuck/.
var (
	ErrNoTokens    = errors.New("result object carries no tokens")
	ErrTooLarge    = fmt.Errorf("result JSON body is larger than %d bytes", MaxJSONBody)
	ErrMalformed   = errors.New("result JSON body is not a JSON object with string tokens")
	ErrDestination = errors.New("destination holds a different object")
)

// Object is a result object as read, with its tokens (the processor's type).
type Object = processor.Object

// ErrGone is an object that no longer exists (the processor's error).
var ErrGone = processor.ErrGone

var _ processor.Objects = (*Store)(nil)

// API is the part of the S3 client the store uses.
type API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// Store reads and moves result objects.
type Store struct{ s3 API }

// FromConfig returns a Store with an S3 client of cfg.
func FromConfig(cfg aws.Config) *Store { return New(s3.NewFromConfig(awsenv.ForService(cfg, "S3"))) }

// New returns a Store on client.
func New(client API) *Store { return &Store{s3: client} }

// Read fetches an object and its tokens with one GetObject: from its metadata,
// or else from its JSON body, streamed and bounded by MaxJSONBody. A missing
// object is ErrGone; tokens that cannot be read are reported in TokenProblem.
func (s *Store) Read(ctx context.Context, bucket, key string) (Object, error) {
	out, err := s.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		if isNotFound(err) {
			return Object{}, ErrGone
		}
		return Object{}, fmt.Errorf("s3 get object: %w", err)
	}
	defer out.Body.Close()
	obj := Object{
		Bucket: bucket, Key: key,
		ETag:        aws.ToString(out.ETag),
		ContentType: aws.ToString(out.ContentType),
		Metadata:    out.Metadata,
	}
	obj.ExamToken, obj.ResultToken = meta(out.Metadata, ExamTokenMeta), meta(out.Metadata, ResultTokenMeta)
	switch {
	case obj.ExamToken != "" || obj.ResultToken != "":
		if obj.ExamToken == "" || obj.ResultToken == "" {
			obj.TokenProblem = ErrNoTokens
		}
	case !isJSON(obj.ContentType, key):
		obj.TokenProblem = ErrNoTokens
	case aws.ToInt64(out.ContentLength) > MaxJSONBody:
		obj.TokenProblem = ErrTooLarge // not read at all
	default:
		obj.ExamToken, obj.ResultToken, obj.TokenProblem = tokensFromJSON(out.Body)
	}
	return obj, nil
}

// tokensFromJSON reads {"exam_token": "...", "result_token": "...", ...} from
// at most MaxJSONBody bytes of body, as strictly as the API reads its requests:
// one JSON object, exact member names, no member twice.
func tokensFromJSON(body io.Reader) (examToken, resultToken string, problem error) {
	data, err := io.ReadAll(io.LimitReader(body, MaxJSONBody+1))
	switch {
	case len(data) > MaxJSONBody:
		return "", "", ErrTooLarge
	case err != nil:
		return "", "", ErrMalformed // as before: the object goes to stuck/; the error's text may hold the key
	}
	var doc struct {
		ExamToken   string `json:"exam_token"`
		ResultToken string `json:"result_token"`
	}
	switch err := strictjson.Unmarshal(data, &doc); {
	case err != nil:
		return "", "", ErrMalformed
	case doc.ExamToken == "" || doc.ResultToken == "":
		return "", "", ErrNoTokens
	}
	return doc.ExamToken, doc.ResultToken, nil
}

func meta(m map[string]string, name string) string {
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func isJSON(contentType, key string) bool {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	return ct == "application/json" || strings.HasSuffix(ct, "+json") || strings.EqualFold(path.Ext(key), ".json")
}

// Move copies obj to dstKey in its bucket, then deletes it. It never replaces a
// different object: when dstKey is taken by another object, the copy goes to a
// name made unique by the source ETag. A retry after a partial move finds its
// own copy and only deletes the source. It returns the key the object now has.
func (s *Store) Move(ctx context.Context, obj Object, dstKey string) (string, error) {
	key, err := s.copyOnce(ctx, obj, dstKey)
	if errors.Is(err, ErrDestination) {
		key, err = s.copyOnce(ctx, obj, uniqueName(dstKey, obj.ETag))
	}
	if err != nil {
		return "", err
	}
	if _, err := s.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &obj.Bucket, Key: &obj.Key}); err != nil {
		return "", fmt.Errorf("s3 delete object: %w", err)
	}
	return key, nil
}

// copyOnce copies obj to dstKey unless the key exists. An existing copy of the
// same source counts as done; anything else there is ErrDestination.
func (s *Store) copyOnce(ctx context.Context, obj Object, dstKey string) (string, error) {
	metadata := map[string]string{sourceETagMeta: obj.ETag}
	for k, v := range obj.Metadata {
		metadata[k] = v
	}
	_, err := s.s3.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:            &obj.Bucket,
		Key:               &dstKey,
		CopySource:        aws.String(CopySource(obj.Bucket, obj.Key)),
		CopySourceIfMatch: aws.String(obj.ETag),
		IfNoneMatch:       aws.String("*"),
		MetadataDirective: types.MetadataDirectiveReplace,
		ContentType:       nonEmpty(obj.ContentType),
		Metadata:          metadata,
	})
	switch {
	case err == nil:
		return dstKey, nil
	case isNotFound(err):
		return "", ErrGone
	case !isPreconditionFailed(err):
		return "", fmt.Errorf("s3 copy object: %w", err)
	}
	// The destination exists (or the source changed): see whose it is.
	head, herr := s.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &obj.Bucket, Key: &dstKey})
	if herr != nil {
		return "", fmt.Errorf("s3 head object: %w", herr)
	}
	if meta(head.Metadata, sourceETagMeta) == obj.ETag {
		return dstKey, nil
	}
	return "", ErrDestination
}

// uniqueName puts a short form of etag before the extension of key.
func uniqueName(key, etag string) string {
	tag := strings.Trim(etag, `"`)
	if len(tag) > 12 {
		tag = tag[:12]
	}
	ext := path.Ext(key)
	return strings.TrimSuffix(key, ext) + "-" + tag + ext
}

// CopySource is the URL-encoded "bucket/key" CopyObject expects. Every byte
// but unreserved characters and "/" is escaped ("+" too, and a space as %20),
// so that no reader of the header can take a "+" for a space.
func CopySource(bucket, key string) string {
	escaped := url.QueryEscape(bucket + "/" + key)
	escaped = strings.ReplaceAll(escaped, "+", "%20")
	return strings.ReplaceAll(escaped, "%2F", "/")
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func isNotFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	var apiErr smithy.APIError
	return errors.As(err, &nsk) || errors.As(err, &nf) ||
		(errors.As(err, &apiErr) && (apiErr.ErrorCode() == "NoSuchKey" || apiErr.ErrorCode() == "NotFound"))
}

func isPreconditionFailed(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode() == "PreconditionFailed" || apiErr.ErrorCode() == "412")
}
