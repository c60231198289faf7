// Command revoke-exam is the Lambda behind POST /exam/revoke.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/dynamostore"
	"github.com/zmed/exam-manager/shared/httpapi"
)

// readSettings reads this function's configuration, once per cold start.
var readSettings = config.ReadAPI

func main() {
	ctx, s, cfg := boot.Init(readSettings)
	store := dynamostore.FromConfig(cfg, s.Table)
	lambda.Start(httpapi.RevokeExam.Handler(httpapi.Ports{Patients: boot.Patients(s.Common), Exams: store, Now: time.Now, Audit: boot.AuditWriter(ctx, cfg, s.ActorKey)}))
}
