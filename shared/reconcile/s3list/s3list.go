// Package s3list is the reconciler's Lister on S3: ListObjectVersions under
// the completed folder (one call per 1,000 versions; one call for an empty
// folder).
package s3list

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/shared/awsenv"
	"github.com/zmed/exam-manager/shared/reconcile"
)

// Lister lists object versions with an S3 client.
type Lister struct{ S3 *s3.Client }

// FromConfig returns a Lister on cfg's S3 (AWS_ENDPOINT_URL_S3 when set,
// then path-style, as the emulators and the local stack need).
func FromConfig(cfg aws.Config) Lister {
	cfg = awsenv.ForService(cfg, "S3")
	return Lister{S3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })}
}

// ListVersions implements reconcile.Lister. S3 answers versions and delete
// markers in two lists; each page's are merged back into S3's order: by
// key, newest first.
func (l Lister) ListVersions(ctx context.Context, bucket, prefix string, each func(reconcile.Entry) error) error {
	pages := s3.NewListObjectVersionsPaginator(l.S3, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &prefix})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list versions: %w", err)
		}
		var entries []entry
		for _, v := range page.Versions {
			entries = append(entries, entry{reconcile.Entry{
				Key: aws.ToString(v.Key), VersionID: aws.ToString(v.VersionId), LastModified: aws.ToTime(v.LastModified),
				Size: aws.ToInt64(v.Size), ETag: aws.ToString(v.ETag),
			}, aws.ToBool(v.IsLatest)})
		}
		for _, m := range page.DeleteMarkers {
			entries = append(entries, entry{reconcile.Entry{
				Key: aws.ToString(m.Key), VersionID: aws.ToString(m.VersionId), LastModified: aws.ToTime(m.LastModified),
				DeleteMarker: true,
			}, aws.ToBool(m.IsLatest)})
		}
		// LastModified has whole seconds: the latest goes first whatever its time.
		sort.SliceStable(entries, func(i, j int) bool {
			a, b := entries[i], entries[j]
			switch {
			case a.Key != b.Key:
				return a.Key < b.Key
			case a.latest != b.latest:
				return a.latest
			}
			return a.LastModified.After(b.LastModified)
		})
		for _, e := range entries {
			if err := each(e.Entry); err != nil {
				return err
			}
		}
	}
	return nil
}

// entry is a listed version with S3's IsLatest.
type entry struct {
	reconcile.Entry
	latest bool
}
