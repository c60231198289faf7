package s3event

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// TestObjectCreatedAsLambdaDecodesIt: the key an event built here carries
// decoded is the one aws-lambda-go decodes from its JSON, for keys S3 encodes.
func TestObjectCreatedAsLambdaDecodesIt(t *testing.T) {
	for _, key := range []string{"completed/2026_11/a.pdf", "completed/Maria da Silva (1).pdf", "completed/a+b%c.json", "completed/ção.pdf"} {
		built := ObjectCreated("us-east-1", "b", key, "v1", 1, "e", "01", time.Now())
		raw, err := json.Marshal(built)
		if err != nil {
			t.Fatal(err)
		}
		var received events.S3Event
		if err := json.Unmarshal(raw, &received); err != nil {
			t.Fatal(err)
		}
		if got := received.Records[0].S3.Object.URLDecodedKey; got != key || built.Records[0].S3.Object.URLDecodedKey != key {
			t.Errorf("%q: Lambda decodes %q, built %q", key, got, built.Records[0].S3.Object.URLDecodedKey)
		}
		if got := received.Records[0].S3.Object.VersionID; got != "v1" || !json.Valid(raw) || !bytes.Contains(raw, []byte(`"versionId":"v1"`)) {
			t.Errorf("%q: version %q in %s", key, got, raw)
		}
	}
}

func TestHandlerProcessesEveryRecord(t *testing.T) {
	ev := ObjectCreated("us-east-1", "b", "completed/x y.pdf", "v1", 1, "e", "01", time.Now())
	ev.Records = append(ev.Records, ObjectCreated("us-east-1", "b", "completed/z.pdf", "", 1, "e", "02", time.Now()).Records...)
	var seen []string
	errFirst := errors.New("transient")
	err := Handler(func(_ context.Context, bucket, key, versionID string) error {
		seen = append(seen, bucket+"/"+key+"?"+versionID)
		if len(seen) == 1 {
			return errFirst
		}
		return nil
	})(context.Background(), ev)
	if !errors.Is(err, errFirst) || !slices.Equal(seen, []string{"b/completed/x y.pdf?v1", "b/completed/z.pdf?"}) {
		t.Fatalf("processed %q, err %v", seen, err)
	}
}
