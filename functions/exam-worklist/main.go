// Command exam-worklist is the Lambda behind GET /exams/worklist.
package main

import (
	"time"
	// The worklist counts days in America/Sao_Paulo, and provided.al2023
	// has no zone database: this binary carries its own.
	_ "time/tzdata"

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
	lambda.Start(httpapi.ExamWorklist.Handler(httpapi.Ports{Exams: store, WorklistCursors: cursor.ForWorklist(key), Now: time.Now,
		Audit: boot.AuditWriter(ctx, cfg, s.ActorKey)}))
}
