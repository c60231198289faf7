// Command communicate-result is the Lambda behind POST /exams/communicate.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/finishing"
	"github.com/zmed/exam-manager/shared/httpapi"
)

// readSettings reads this function's configuration, once per cold start.
var readSettings = finishing.ReadSettings

func main() {
	ctx, s, cfg := boot.Init(readSettings)
	lambda.Start(httpapi.CommunicateResult.Handler(httpapi.Ports{Finish: finishing.FinishFromConfig(ctx, cfg, s)}))
}
