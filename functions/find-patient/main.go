// Command find-patient is the Lambda behind POST /patient/find.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/httpapi"
)

// readSettings reads this function's configuration, once per cold start.
var readSettings = config.ReadAPI

func main() {
	ctx, s, cfg := boot.Init(readSettings)
	lambda.Start(httpapi.FindPatient.Handler(httpapi.Ports{Patients: boot.Patients(s.Common), Audit: boot.AuditWriter(ctx, cfg, s.ActorKey)}))
}
