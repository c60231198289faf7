// Command list-exams is the Lambda behind GET /exams/info and POST /exams/info
// (the same listing, the CPF in the body).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/cursor"
	"github.com/zmed/exam-manager/shared/dynamostore"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/secrets"
)

// readSettings reads this function's configuration, once per cold start.
var readSettings = config.ReadPaging

func main() {
	ctx, s, cfg := boot.Init(readSettings)
	key := boot.Must(secrets.Key(ctx, secrets.FromConfig(cfg), s.CursorKey))
	store := dynamostore.FromConfig(cfg, s.Table)
	lambda.Start(httpapi.Serve(httpapi.Ports{Patients: boot.Patients(s.Common), Exams: store, Cursors: cursor.ForListing(cursor.New(key)),
		Audit: boot.AuditWriter(ctx, cfg, s.ActorKey)}, httpapi.ListExams, httpapi.ListExamsPosted))
}
