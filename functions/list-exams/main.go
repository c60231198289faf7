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

// settings is this function's configuration, read once per cold start.
type settings struct {
	config.API
	CursorKey config.Key
}

func readSettings(r *config.Reader) settings {
	return settings{API: config.ReadAPI(r), CursorKey: r.Key(config.CursorKeyVar)}
}

func main() {
	ctx, s, cfg := boot.Init(readSettings)
	key := boot.Must(secrets.Key(ctx, secrets.FromConfig(cfg), s.CursorKey))
	store := dynamostore.FromConfig(cfg, s.Table)
	lambda.Start(httpapi.Serve(httpapi.Ports{Patients: boot.Patients(s.Common), Exams: store, Cursors: cursor.ForListing(cursor.New(key)),
		Audit: boot.AuditWriter(ctx, cfg, s.ActorKey)}, httpapi.ListExams, httpapi.ListExamsPosted))
}
