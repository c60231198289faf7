// Package s3handin implements the hand-in's ports on S3: upload forms are S3
// presigned POSTs, outcomes are read with HeadObject and ListObjectsV2.
package s3handin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/zmed/exam-manager/shared/awsenv"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/handin"
)

// The filing's user metadata (shared/s3results names them; not imported, so
// that result-outcome links no document reader).
const (
	reasonMeta    = "zmed-reason"
	sourceKeyMeta = "zmed-source-key"
)

// client is the S3 client of cfg: path-style addressing on an endpoint of its
// own (a local S3), AWS's virtual-hosted one otherwise.
func client(cfg aws.Config) *s3.Client {
	cfg = awsenv.ForService(cfg, "S3")
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })
}

// PresignerFromConfig signs forms with cfg's credentials (result-upload's role).
func PresignerFromConfig(cfg aws.Config) Presigner {
	return Presigner{S3: s3.NewPresignClient(client(cfg))}
}

// ObjectsFromConfig reads the bucket with cfg's credentials (result-outcome's role).
func ObjectsFromConfig(cfg aws.Config) Objects { return Objects{S3: client(cfg)} }

// Presigner signs S3 presigned POSTs (handin.Presigner).
type Presigner struct{ S3 *s3.PresignClient }

var _ handin.Presigner = Presigner{}

// PresignUpload returns a presigned POST whose policy holds the upload to
// bucket, exactly key, the content type t and exactly size bytes, for ttl.
// Signing is local: no request is sent.
func (p Presigner) PresignUpload(ctx context.Context, bucket, key string, t exam.DocumentType, size int64, ttl time.Duration) (exam.UploadForm, error) {
	req, err := p.S3.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key}, func(o *s3.PresignPostOptions) {
		o.Expires = ttl
		o.Conditions = []any{
			map[string]string{"key": key},
			map[string]string{"Content-Type": string(t)},
			[]any{"content-length-range", size, size},
		}
	})
	if err != nil {
		// Never the SDK's text: it may quote the request, and so the key.
		return exam.UploadForm{}, errors.New("s3 presign post: " + describe(err))
	}
	fields := make(map[string]string, len(req.Values)+1)
	for k, v := range req.Values {
		fields[k] = v
	}
	fields["Content-Type"] = string(t)
	expires, err := policyExpiration(fields["policy"])
	if err != nil {
		return exam.UploadForm{}, err
	}
	return exam.UploadForm{URL: req.URL, Fields: fields, Key: key, ExpiresAt: expires}, nil
}

// policyExpiration reads the expiration the signed policy holds: the form's
// true end, whatever clock the signer read.
func policyExpiration(policy string) (time.Time, error) {
	raw, err := base64.StdEncoding.DecodeString(policy)
	if err != nil {
		return time.Time{}, fmt.Errorf("presigned post policy: %w", err)
	}
	var doc struct {
		Expiration time.Time `json:"expiration"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Expiration.IsZero() {
		return time.Time{}, fmt.Errorf("presigned post policy without an expiration")
	}
	return doc.Expiration, nil
}

// Objects reads result objects' heads and lists filed names (handin.Objects).
type Objects struct{ S3 API }

// API is the part of the S3 client Objects uses.
type API interface {
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

var _ handin.Objects = Objects{}

// Head reads key's filing metadata with one HeadObject (no body, so no KMS decrypt).
func (o Objects) Head(ctx context.Context, bucket, key string) (handin.Head, bool, error) {
	out, err := o.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	switch {
	case isNotFound(err):
		return handin.Head{}, false, nil
	case err != nil:
		return handin.Head{}, false, errors.New("s3 head object: " + describe(err))
	}
	return handin.Head{Reason: out.Metadata[reasonMeta], SourceKey: out.Metadata[sourceKeyMeta]}, true, nil
}

// List returns the first page of the keys beginning with prefix.
func (o Objects) List(ctx context.Context, bucket, prefix string) ([]string, error) {
	out, err := o.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	if err != nil {
		return nil, errors.New("s3 list objects: " + describe(err))
	}
	keys := make([]string, 0, len(out.Contents))
	for _, c := range out.Contents {
		keys = append(keys, aws.ToString(c.Key))
	}
	return keys, nil
}

func isNotFound(err error) bool {
	var nf *types.NotFound
	var nsk *types.NoSuchKey
	var apiErr smithy.APIError
	return errors.As(err, &nf) || errors.As(err, &nsk) ||
		(errors.As(err, &apiErr) && (apiErr.ErrorCode() == "NotFound" || apiErr.ErrorCode() == "NoSuchKey"))
}

// describe is err's code, never its text: the text of an S3 error holds the
// request's URL, and so the key.
func describe(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	var op *smithy.OperationError
	if errors.As(err, &op) {
		return "the request failed before an answer (" + fmt.Sprintf("%T", op.Err) + ")"
	}
	return "failed"
}
