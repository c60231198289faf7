// Package invoke is the reconciler's Processor in AWS: it invokes
// process-result (its alias) synchronously with the event S3 would have sent
// for the version, so a result left behind is processed by the very code and
// configuration of the event path, within process-result's reserved
// concurrency, and the reconciler's own role may do nothing but list and invoke.
package invoke

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/zmed/exam-manager/shared/awsenv"
	"github.com/zmed/exam-manager/shared/reconcile"
	"github.com/zmed/exam-manager/shared/s3event"
)

// Processor invokes Function (a name or ARN, with its alias) with Lambda.
type Processor struct {
	Lambda   *lambda.Client
	Function string
	Region   string
}

// FromConfig returns a Processor invoking function with cfg's Lambda client.
func FromConfig(cfg aws.Config, function string) Processor {
	return Processor{Lambda: lambda.NewFromConfig(awsenv.ForService(cfg, "LAMBDA")), Function: function, Region: cfg.Region}
}

// Event is the S3 event of one version, as S3 sends it for its upload.
func Event(region, bucket string, v reconcile.Entry) ([]byte, error) {
	ev := s3event.ObjectCreated(region, bucket, v.Key, v.VersionID, v.Size, v.ETag, "", v.LastModified)
	ev.Records[0].S3.ConfigurationID = reconcile.Function
	ev.Records[0].S3.Object.URLDecodedKey = "" // not in what S3 sends; the handler decodes the key
	return json.Marshal(ev)
}

// Process implements reconcile.Processor: an error when the invocation failed
// or process-result answered an error (it failed transiently).
func (p Processor) Process(ctx context.Context, bucket string, v reconcile.Entry) error {
	payload, err := Event(p.Region, bucket, v)
	if err != nil {
		return err
	}
	out, err := p.Lambda.Invoke(ctx, &lambda.InvokeInput{
		FunctionName: &p.Function, InvocationType: types.InvocationTypeRequestResponse, Payload: payload,
	})
	if err != nil {
		return fmt.Errorf("invoke process-result: %w", err)
	}
	if out.FunctionError != nil {
		// Only the error's type: its message is process-result's to log, with its own care.
		var answer struct {
			ErrorType string `json:"errorType"`
		}
		_ = json.Unmarshal(out.Payload, &answer)
		return fmt.Errorf("process-result failed (%s, %s)", aws.ToString(out.FunctionError), strings.TrimSpace(answer.ErrorType))
	}
	return nil
}
