// Command console is the Lambda behind GET / and GET /console/{proxy+}: the
// attendants' console, its files embedded in the binary; and behind GET
// /exam-types, the catalog, which needs no AWS client either.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/console"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/logging"
)

// settings is this function's configuration, read once per cold start. It
// reads the common variables too: the template sets them for every function.
type settings struct {
	config.Common
	Console console.Settings
}

func readSettings(r *config.Reader) settings {
	return settings{Common: config.ReadCommon(r), Console: console.ReadSettings(r)}
}

func main() {
	// boot.Init without its SDK configuration: the console calls no AWS service.
	r := config.FromEnv()
	s, level := boot.Read(r, readSettings)
	slog.SetDefault(logging.New(os.Stdout, level))
	boot.Check(r)
	page := boot.Must(console.Handler(s.Console))
	// The catalog is no patient data: no port, no audit writer.
	catalog := httpapi.ExamTypes
	lambda.Start(apigw.ByRoute(map[apigw.Route]apigw.Handler{catalog.Route: catalog.Handler(httpapi.Ports{})}, page))
}
