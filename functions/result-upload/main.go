// Command result-upload is the Lambda behind POST /exam/result-upload: the
// upload form of a result handed in at the desk, an S3 presigned POST signed
// with this function's own credentials (its role may put under completed/ only).
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/dynamostore"
	"github.com/zmed/exam-manager/shared/handin"
	"github.com/zmed/exam-manager/shared/handin/s3handin"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/resultfiling"
)

// settings is this function's configuration, read once per cold start.
type settings struct {
	config.API
	Bucket  string
	Folders resultfiling.Folders
}

func readSettings(r *config.Reader) settings {
	s := settings{API: config.ReadAPI(r)}
	s.Bucket, s.Folders = resultfiling.ReadBucket(r)
	return s
}

func main() {
	ctx, s, cfg := boot.Init(readSettings)
	forms := handin.Forms{Bucket: s.Bucket, Completed: s.Folders.Completed, Now: time.Now, Presign: s3handin.PresignerFromConfig(cfg)}
	lambda.Start(httpapi.ResultUpload.Handler(httpapi.Ports{Patients: boot.Patients(s.Common), Exams: dynamostore.FromConfig(cfg, s.Table),
		Uploads: forms, Audit: boot.AuditWriter(ctx, cfg, s.ActorKey)}))
}
