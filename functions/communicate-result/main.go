// Command communicate-result is the Lambda behind POST /exams/communicate.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/wiring"
)

// readSettings reads this function's configuration, once per cold start.
var readSettings = wiring.ReadSettings

func main() {
	ctx, s, cfg := boot.Init(readSettings)
	lambda.Start(httpapi.CommunicateResult.Handler(httpapi.Ports{Finish: wiring.FinishFromConfig(ctx, cfg, s)}))
}
