// Command pre-traffic-hook is the CodeDeploy hook run before traffic shifts to
// a function's new version: it invokes that version with the health event of
// the function's kind and reports Succeeded or Failed (shared/deployhook).
// It is not itself deployed through CodeDeploy.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/deployhook"
	"github.com/zmed/exam-manager/shared/health"
)

// settings is this function's configuration, read once per cold start. The
// template's Globals give every function the table and the patient manager;
// the hook reads them (so they are checked) but uses neither.
type settings struct {
	config.Common
	Functions map[string]health.Kind
}

func readSettings(r *config.Reader) settings {
	s := settings{Common: config.ReadCommon(r)}
	fns, err := deployhook.ParseFunctions(r.Required(deployhook.FunctionsVar))
	if err != nil {
		r.Fail(err)
	}
	s.Functions = fns
	return s
}

func main() {
	_, s, cfg := boot.Init(readSettings)
	lambda.Start(deployhook.FromConfig(cfg, s.Functions).Handle)
}
