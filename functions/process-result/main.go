// Command process-result is the Lambda that S3 invokes for every object
// created under completed/ in the results bucket.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/finishing"
	"github.com/zmed/exam-manager/shared/processor"
	"github.com/zmed/exam-manager/shared/results"
	"github.com/zmed/exam-manager/shared/s3event"
)

// settings is this function's configuration, read once per cold start.
type settings struct {
	finishing.Settings
	Bucket  string
	Folders processor.Folders
}

func readSettings(r *config.Reader) settings {
	s := settings{Settings: finishing.ReadSettings(r)}
	s.Bucket, s.Folders = processor.ReadBucket(r)
	return s
}

func main() {
	ctx, s, cfg := boot.Init(readSettings)
	lambda.Start(s3event.Handler(processor.Processor{
		Bucket:  s.Bucket,
		Objects: results.FromConfig(cfg),
		Finish:  finishing.New(ctx, cfg, s.Settings),
		Folders: s.Folders,
		Now:     time.Now,
	}.Process))
}
