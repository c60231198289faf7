package emulators_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
)

// TestS3Versions holds the local S3 endpoint to what S3 documents for a
// versioned bucket, and moto to the same, so that the result processing's
// tests mean the same on both.
func TestS3Versions(t *testing.T) {
	mototest.EachS3(t, func(t *testing.T, url string) {
		checkVersions(t, url)
		if strings.Contains(t.Name(), "moto") {
			return // moto has no metadata limit
		}
		// One byte over S3's limit is refused as S3 does.
		c := s3.NewFromConfig(emulators.Config(url), func(o *s3.Options) { o.UsePathStyle = true })
		_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("versions"), Key: aws.String("bigger"), Body: strings.NewReader("x"),
			Metadata: map[string]string{"pad": strings.Repeat("p", 2046)}})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "MetadataTooLarge" {
			t.Fatalf("2049 bytes of metadata: %v, want MetadataTooLarge", err)
		}
	})
}

func checkVersions(t *testing.T, url string) {
	ctx := context.Background()
	c := s3.NewFromConfig(emulators.Config(url), func(o *s3.Options) { o.UsePathStyle = true })
	bucket := aws.String("versions")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	put := func(key, body string, meta map[string]string) string {
		t.Helper()
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(key), Body: bytes.NewReader([]byte(body)),
			ContentType: aws.String("text/plain"), CacheControl: aws.String("no-store"), Metadata: meta})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.VersionId)
	}
	get := func(key, version string) (string, map[string]string, error) {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String(key), VersionId: nonEmpty(version)})
		if err != nil {
			return "", nil, err
		}
		defer out.Body.Close()
		b, _ := io.ReadAll(out.Body)
		return string(b), out.Metadata, nil
	}
	code := func(err error) string {
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			return apiErr.ErrorCode()
		}
		return ""
	}

	a := put("k", "A", map[string]string{"only-a": "1"})
	b := put("k", "B", map[string]string{"only-b": "1"})
	if a == "" || b == "" || a == b {
		t.Fatalf("versions %q, %q", a, b)
	}
	// An overwrite has only the metadata sent.
	if body, meta, err := get("k", ""); err != nil || body != "B" || meta["only-a"] != "" || meta["only-b"] != "1" {
		t.Fatalf("current: %q %v %v", body, meta, err)
	}
	// A copy from a version copies that version, with REPLACE'd metadata only, and not over an existing key.
	copyA := func(dst string) error {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String(dst), CopySource: aws.String("versions/k?versionId=" + a),
			IfNoneMatch: aws.String("*"), MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/plain"),
			CacheControl: aws.String("no-store"), Metadata: map[string]string{"copied": "1"}})
		return err
	}
	if err := copyA("copy"); err != nil {
		t.Fatal(err)
	}
	if body, meta, err := get("copy", ""); err != nil || body != "A" || meta["copied"] != "1" || meta["only-a"] != "" {
		t.Fatalf("copy of A: %q %v %v", body, meta, err)
	}
	if head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("copy")}); err != nil || aws.ToString(head.CacheControl) != "no-store" {
		t.Fatalf("copy's Cache-Control: %v", err)
	}
	if err := copyA("copy"); code(err) != "PreconditionFailed" {
		t.Fatalf("copy onto a taken key: %v", err)
	}
	// Deleting the current version makes the one before it current again.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("k"), VersionId: &b}); err != nil {
		t.Fatal(err)
	}
	if body, _, err := get("k", ""); err != nil || body != "A" {
		t.Fatalf("after deleting B's version: %q %v", body, err)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("k")}); err != nil {
		t.Fatalf("HEAD after deleting the current version: %v", err)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket})
	if err != nil || len(list.Contents) != 2 {
		t.Fatalf("listing: %v", err)
	}
	if _, _, err := get("k", b); code(err) != "NoSuchVersion" {
		t.Fatalf("reading a deleted version: %v", err)
	}
	if err := func() error {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("copy-b"), CopySource: aws.String("versions/k?versionId=" + b)})
		return err
	}(); code(err) != "NoSuchVersion" {
		t.Fatalf("copying a deleted version: %v", err)
	}
	// S3's user metadata limit: 2 KB of names and values.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("big"), Body: strings.NewReader("x"),
		Metadata: map[string]string{"pad": strings.Repeat("p", 2045)}})
	if err != nil {
		t.Fatalf("2048 bytes of metadata refused: %v", err)
	}
	if vs, err := emulators.Versions(ctx, c, "versions", "k"); err != nil || len(vs) != 1 || vs[0] != "k?versionId="+a {
		t.Fatalf("versions of k: %q, %v", vs, err)
	}
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
