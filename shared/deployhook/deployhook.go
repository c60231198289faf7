// Package deployhook is the pre-traffic hook of the functions' deployments:
// CodeDeploy calls it for a deployment before any traffic shifts to the new
// version; it finds that version in the deployment's AppSpec, invokes it with
// the health event of the function's kind, checks the answer and reports
// Succeeded or Failed, always, before its own deadline.
package deployhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"go.yaml.in/yaml/v3"

	"github.com/zmed/exam-manager/shared/health"
)

// Event is what CodeDeploy invokes a lifecycle hook with.
type Event struct {
	DeploymentID                  string `json:"DeploymentId"`
	LifecycleEventHookExecutionID string `json:"LifecycleEventHookExecutionId"`
}

// Deployments is the part of CodeDeploy the hook calls.
type Deployments interface {
	GetDeployment(context.Context, *codedeploy.GetDeploymentInput, ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentOutput, error)
	PutLifecycleEventHookExecutionStatus(context.Context, *codedeploy.PutLifecycleEventHookExecutionStatusInput, ...func(*codedeploy.Options)) (*codedeploy.PutLifecycleEventHookExecutionStatusOutput, error)
}

// Invoker is the part of Lambda the hook calls.
type Invoker interface {
	Invoke(context.Context, *lambda.InvokeInput, ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// DefaultReserve is the time kept, out of the hook's own, to report: a check
// that hangs is cut that long before the hook's deadline.
const DefaultReserve = 10 * time.Second

// Hook checks the new version of a deployment and reports the outcome.
type Hook struct {
	Deployments Deployments
	Lambda      Invoker
	// Functions are the functions it checks, by name, with the kind of their
	// health event. A deployment of any other function fails.
	Functions map[string]health.Kind
	// Reserve is the time kept to report (DefaultReserve when zero).
	Reserve time.Duration
}

// Handle checks the deployment ev names and reports Succeeded or Failed to
// CodeDeploy. Its error is only that of the report (an invocation error, for
// the hook's alarm and Lambda's retry of an asynchronous invocation): a check
// that failed is reported Failed.
func (h Hook) Handle(ctx context.Context, ev Event) error {
	status := cdtypes.LifecycleEventStatusSucceeded
	target, err := h.checkInTime(ctx, ev.DeploymentID)
	if err != nil {
		status = cdtypes.LifecycleEventStatusFailed
		slog.ErrorContext(ctx, "pre-traffic check failed", "deployment", ev.DeploymentID, "function", target.Name, "version", target.Version, "error", err.Error())
	} else {
		slog.InfoContext(ctx, "pre-traffic check passed", "deployment", ev.DeploymentID, "function", target.Name, "version", target.Version)
	}
	_, err = h.Deployments.PutLifecycleEventHookExecutionStatus(ctx, &codedeploy.PutLifecycleEventHookExecutionStatusInput{
		DeploymentId: aws.String(ev.DeploymentID), LifecycleEventHookExecutionId: aws.String(ev.LifecycleEventHookExecutionID), Status: status,
	})
	if err != nil {
		return fmt.Errorf("report %s to CodeDeploy: %w", status, err)
	}
	return nil
}

// Target is the version a deployment shifts traffic to.
type Target struct{ Name, Alias, Version string }

// checkInTime is check, cut Reserve before ctx's deadline, a panic included.
func (h Hook) checkInTime(ctx context.Context, deployment string) (target Target, err error) {
	reserve := h.Reserve
	if reserve == 0 {
		reserve = DefaultReserve
	}
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-reserve))
		defer cancel()
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h.check(ctx, deployment)
}

func (h Hook) check(ctx context.Context, deployment string) (Target, error) {
	out, err := h.Deployments.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(deployment)})
	if err != nil {
		return Target{}, fmt.Errorf("get the deployment: %w", err)
	}
	target, err := TargetOf(out.DeploymentInfo)
	if err != nil {
		return target, err
	}
	kind, ok := h.Functions[functionName(target.Name)]
	if !ok {
		return target, fmt.Errorf("function %s is not one the hook knows (ZMED_HOOK_FUNCTIONS)", target.Name)
	}
	event, err := health.Event(kind)
	if err != nil {
		return target, err
	}
	res, err := h.Lambda.Invoke(ctx, &lambda.InvokeInput{
		FunctionName: aws.String(target.Name), Qualifier: aws.String(target.Version),
		InvocationType: ltypes.InvocationTypeRequestResponse, Payload: event,
	})
	if err != nil {
		return target, fmt.Errorf("invoke the new version: %w", err)
	}
	if res.FunctionError != nil {
		var answer struct {
			ErrorType string `json:"errorType"`
		}
		_ = json.Unmarshal(res.Payload, &answer)
		return target, fmt.Errorf("the new version answered an error (%s, %s)", aws.ToString(res.FunctionError), answer.ErrorType)
	}
	return target, health.Check(kind, res.Payload, target.Version)
}

// functionName is the name of a function given by its name or its ARN
// (arn:<partition>:lambda:<region>:<account>:function:<name>).
func functionName(nameOrARN string) string {
	if parts := strings.Split(nameOrARN, ":"); len(parts) >= 7 && parts[0] == "arn" && parts[5] == "function" {
		return parts[6]
	}
	return nameOrARN
}

// appSpec is the part of a Lambda deployment's AppSpec the hook reads (JSON
// from CloudFormation; YAML is read alike).
type appSpec struct {
	Resources []map[string]struct {
		Type       string `yaml:"Type"`
		Properties struct {
			Name          string `yaml:"Name"`
			Alias         string `yaml:"Alias"`
			TargetVersion string `yaml:"TargetVersion"`
		} `yaml:"Properties"`
	} `yaml:"Resources"`
}

// ErrNoTarget is the error of a deployment whose AppSpec names no one new version.
var ErrNoTarget = errors.New("the deployment's AppSpec names no one Lambda function's new version")

// TargetOf reads the version a deployment shifts to from its AppSpec (the
// AppSpecContent revision CloudFormation gives CodeDeploy).
func TargetOf(info *cdtypes.DeploymentInfo) (Target, error) {
	var content string
	if info != nil && info.Revision != nil && info.Revision.AppSpecContent != nil {
		content = aws.ToString(info.Revision.AppSpecContent.Content)
	}
	var spec appSpec
	if err := yaml.Unmarshal([]byte(content), &spec); err != nil {
		return Target{}, fmt.Errorf("%w: %v", ErrNoTarget, err)
	}
	var found []Target
	for _, res := range spec.Resources {
		for _, r := range res {
			if r.Type == "AWS::Lambda::Function" && r.Properties.Name != "" && r.Properties.TargetVersion != "" {
				found = append(found, Target{Name: r.Properties.Name, Alias: r.Properties.Alias, Version: r.Properties.TargetVersion})
			}
		}
	}
	if len(found) != 1 {
		return Target{}, ErrNoTarget
	}
	return found[0], nil
}
