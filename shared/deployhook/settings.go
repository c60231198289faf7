package deployhook

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/zmed/exam-manager/shared/awsenv"
	"github.com/zmed/exam-manager/shared/health"
)

// Function is the functions/ folder of the hook.
const Function = "pre-traffic-hook"

// FunctionsVar names the functions the hook checks and their kinds:
// "name=kind,name=kind", each name as a function's physical name (the
// template's !Ref of it), each kind one of health.Kinds.
const FunctionsVar = "ZMED_HOOK_FUNCTIONS"

// ParseFunctions reads FunctionsVar's value.
func ParseFunctions(s string) (map[string]health.Kind, error) {
	fns := map[string]health.Kind{}
	for _, pair := range strings.Split(s, ",") {
		name, kind, ok := strings.Cut(strings.TrimSpace(pair), "=")
		switch {
		case !ok || name == "":
			return nil, fmt.Errorf("%s: %q is not name=kind", FunctionsVar, pair)
		case !slices.Contains(health.Kinds(), health.Kind(kind)):
			return nil, fmt.Errorf("%s: %s has kind %q, not one of %v", FunctionsVar, name, kind, health.Kinds())
		case fns[name] != "":
			return nil, fmt.Errorf("%s: %s is named twice", FunctionsVar, name)
		}
		fns[name] = health.Kind(kind)
	}
	return fns, nil
}

// FromConfig is the hook on CodeDeploy and Lambda, for functions.
func FromConfig(cfg aws.Config, functions map[string]health.Kind) Hook {
	return Hook{
		Deployments: codedeploy.NewFromConfig(awsenv.ForService(cfg, "CODEDEPLOY")),
		Lambda:      lambda.NewFromConfig(awsenv.ForService(cfg, "LAMBDA")),
		Functions:   functions,
	}
}
