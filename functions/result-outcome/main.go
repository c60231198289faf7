// Command result-outcome is the Lambda behind POST /exam/result-outcome:
// where a result handed in at the desk was filed, and why.
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
	outcomes := handin.Outcomes{Bucket: s.Bucket, Folders: s.Folders, Now: time.Now, Objects: s3handin.ObjectsFromConfig(cfg)}
	lambda.Start(httpapi.ResultOutcome.Handler(httpapi.Ports{Patients: boot.Patients(s.Common), Exams: dynamostore.FromConfig(cfg, s.Table),
		Outcomes: outcomes, Audit: boot.AuditWriter(ctx, cfg, s.ActorKey)}))
}
