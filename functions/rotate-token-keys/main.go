// Command rotate-token-keys is the Secrets Manager rotation function of the
// exam-token and result-token keys (shared/keyrotation).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/zmed/exam-manager/shared/boot"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/keyrotation"
)

// settings are the two secrets this function rotates, read once per cold
// start, beside what the template gives every function (config.Common, unused here).
type settings struct {
	config.Common
	ExamKey, ResultKey config.Key
}

func readSettings(r *config.Reader) settings {
	return settings{Common: config.ReadCommon(r), ExamKey: r.Key(config.ExamKeyVar), ResultKey: r.Key(config.ResultKeyVar)}
}

func main() {
	_, s, cfg := boot.Init(readSettings)
	lambda.Start(keyrotation.Handler(keyrotation.FromConfig(cfg, s.ExamKey.SecretARN, s.ResultKey.SecretARN)))
}
