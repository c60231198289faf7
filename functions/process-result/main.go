// Command process-result is the Lambda that S3 invokes for every object
// created under completed/ in the results bucket.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/finishing"
	"github.com/zmed/exam-manager/shared/processor"
	"github.com/zmed/exam-manager/shared/results"
)

// settings is this function's configuration, read once per cold start.
type settings struct {
	finishing.Settings
	Bucket config.Bucket
}

func readSettings(r *config.Reader) settings {
	return settings{Settings: finishing.ReadSettings(r), Bucket: config.ReadBucket(r)}
}

func main() {
	ctx, s, cfg := boot.Init(readSettings)
	b := s.Bucket
	lambda.Start(processor.Processor{
		Bucket:   b.Name,
		Objects:  results.New(s3.NewFromConfig(boot.ForService(cfg, "S3"))),
		Finish:   finishing.New(ctx, cfg, s.Settings),
		Prefixes: processor.NewPrefixes(b.Completed, b.Processed, b.Stuck, b.Denied, b.Deleted),
		Now:      time.Now,
	}.Handle)
}
