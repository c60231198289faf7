// Package processresult is process-result's composition root: the automatic
// result path assembled once, for the Lambda, the local stack and the bench.
package processresult

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/finishing"
	"github.com/zmed/exam-manager/shared/processor"
	"github.com/zmed/exam-manager/shared/results"
)

// Settings is process-result's configuration: the finish's, and the results
// bucket with its folders.
type Settings struct {
	finishing.Settings
	Bucket  string
	Folders processor.Folders
}

// ReadSettings reads Settings.
func ReadSettings(r *config.Reader) Settings {
	s := Settings{Settings: finishing.ReadSettings(r)}
	s.Bucket, s.Folders = processor.ReadBucket(r)
	return s
}

// Ports are what the automatic result path runs on: the bucket
// it watches, with its folders, the objects in it and the finish use case.
type Ports struct {
	Bucket  string
	Folders processor.Folders
	Objects processor.Objects
	Finish  exam.Finish
}

// New is the automatic result path on p: the one place it is assembled.
func New(p Ports) processor.Processor {
	return processor.Processor{Bucket: p.Bucket, Folders: p.Folders, Objects: p.Objects, Finish: p.Finish, Now: time.Now}
}

// FromConfig is the automatic result path on S3, finishing with
// finishing.FinishFromConfig. It stops the function on a configuration error.
func FromConfig(ctx context.Context, cfg aws.Config, s Settings) processor.Processor {
	return New(Ports{
		Bucket:  s.Bucket,
		Folders: s.Folders,
		Objects: results.FromConfig(cfg),
		Finish:  finishing.FinishFromConfig(ctx, cfg, s.Settings),
	})
}
