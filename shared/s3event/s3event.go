// Package s3event builds and reads S3 event notifications as S3 sends them:
// object keys URL-encoded, a space as "+".
package s3event

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// EncodeKey encodes an object key the way S3 writes it in an event.
func EncodeKey(key string) string {
	return strings.ReplaceAll(url.QueryEscape(key), "%2F", "/")
}

// ErrUndecodableKey: an event's key is not URL-encoded. Its text names no part
// of the key (url's own error quotes the bad escape), since keys stay out of logs.
var ErrUndecodableKey = errors.New("object key in the event is not URL-encoded")

// DecodeKey returns the object key of an event record.
func DecodeKey(encoded string) (string, error) {
	key, err := url.QueryUnescape(encoded)
	if err != nil {
		return "", ErrUndecodableKey
	}
	return key, nil
}

// ObjectCreated returns the event S3 sends for a PUT of key into bucket.
func ObjectCreated(region, bucket, key string, size int64, etag, sequencer string, at time.Time) events.S3Event {
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
				Key:       EncodeKey(key),
				Size:      size,
				ETag:      strings.Trim(etag, `"`),
				Sequencer: sequencer,
			},
		},
	}}}
}
