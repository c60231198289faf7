// Command process-result is the Lambda that S3 invokes for every object
// created under completed/ in the results bucket.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/document/qrscan"
	"github.com/zmed/exam-manager/shared/s3event"
	"github.com/zmed/exam-manager/shared/wiring/processresult"
)

// readSettings reads this function's configuration, once per cold start.
var readSettings = processresult.ReadSettings

func main() {
	ctx, s, cfg := boot.Init(readSettings)
	lambda.Start(s3event.Lambda(processresult.FromConfig(ctx, cfg, s, qrscan.Scanner{}).Process))
}
