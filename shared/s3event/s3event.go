// Package s3event builds and reads S3 event notifications as S3 sends them:
// object keys URL-encoded, a space as "+". aws-lambda-go decodes the key while
// unmarshalling the event (S3Object.URLDecodedKey), failing the invocation for
// a key that does not decode.
package s3event

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/health"
)

// Handler is the Lambda handler of S3 event notifications: process runs for
// each record's bucket, decoded key and version ("" when the bucket was never
// versioned). It fails the invocation only if a record failed, with every
// record's error.
func Handler(process func(ctx context.Context, bucket, key, versionID string) error) func(context.Context, events.S3Event) error {
	return func(ctx context.Context, ev events.S3Event) error {
		var failed []error
		for _, rec := range ev.Records {
			if err := process(ctx, rec.S3.Bucket.Name, rec.S3.Object.URLDecodedKey, rec.S3.Object.VersionID); err != nil {
				failed = append(failed, err)
			}
		}
		return errors.Join(failed...)
	}
}

// Lambda is the handler a function invoked by S3 starts: Handler over process,
// and the answer to the health event, one record whose source is
// health.EventSource (S3 writes "aws:s3"), given without calling process.
// Every other event answers null, as Handler's.
func Lambda(process func(ctx context.Context, bucket, key, versionID string) error) func(context.Context, events.S3Event) (*health.Answer, error) {
	handle := Handler(process)
	return func(ctx context.Context, ev events.S3Event) (*health.Answer, error) {
		if len(ev.Records) == 1 && ev.Records[0].EventSource == health.EventSource {
			a := health.Answered(ctx, health.S3)
			return &a, nil
		}
		return nil, handle(ctx, ev)
	}
}

// EncodeKey encodes an object key the way S3 writes it in an event.
func EncodeKey(key string) string {
	return strings.ReplaceAll(url.QueryEscape(key), "%2F", "/")
}

// ObjectCreated returns the event S3 sends for a PUT of key into bucket that
// made its version versionID ("" in a bucket never versioned), as
// aws-lambda-go hands it to a handler (the key also decoded).
func ObjectCreated(region, bucket, key, versionID string, size int64, etag, sequencer string, at time.Time) events.S3Event {
	return events.S3Event{Records: []events.S3EventRecord{{
		EventVersion: "2.1",
		EventSource:  "aws:s3",
		AWSRegion:    region,
		EventTime:    at.UTC(),
		EventName:    "ObjectCreated:Put",
		S3: events.S3Entity{
			SchemaVersion:   "1.0",
			ConfigurationID: "process-result",
			Bucket:          events.S3Bucket{Name: bucket, Arn: "arn:aws:s3:::" + bucket},
			Object: events.S3Object{
				Key:           EncodeKey(key),
				URLDecodedKey: key,
				Size:          size,
				ETag:          strings.Trim(etag, `"`),
				VersionID:     versionID,
				Sequencer:     sequencer,
			},
		},
	}}}
}
