// Command communicate-result is the Lambda behind POST /exams/communicate.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/wiring"
)

// settings is this function's configuration, read once per cold start.
type settings struct {
	wiring.Settings
	ActorKey config.Key
}

func readSettings(r *config.Reader) settings {
	return settings{Settings: wiring.ReadSettings(r), ActorKey: r.Key(config.ActorKeyVar)}
}

func main() {
	ctx, s, cfg := boot.Init(readSettings)
	lambda.Start(httpapi.CommunicateResult.Handler(httpapi.Ports{Finish: wiring.FinishFromConfig(ctx, cfg, s.Settings),
		Audit: boot.AuditWriter(ctx, cfg, s.ActorKey)}))
}
