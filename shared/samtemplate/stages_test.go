package samtemplate

import (
	_ "embed"
	"slices"
	"strings"
	"testing"
)

//go:embed motostacks.py
var motoStacks string

// motoUnsupported are the resource types of the translated template that
// moto's CloudFormation cannot create (it skips them); the test names them
// so that a new type, or new support in moto, is noticed.
var motoUnsupported = []string{
	"AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage", "AWS::CloudTrail::Trail",
	"AWS::CloudWatch::Alarm", "AWS::CodeDeploy::Application", "AWS::CodeDeploy::DeploymentGroup",
	"AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient",
	"AWS::Lambda::Alias", "AWS::Lambda::EventInvokeConfig", "AWS::S3::BucketPolicy",
	"AWS::SNS::Subscription", "AWS::SNS::TopicPolicy", "AWS::SQS::QueuePolicy",
	"AWS::SecretsManager::ResourcePolicy", "AWS::SecretsManager::RotationSchedule", "AWS::SecretsManager::Secret",
}

// TestStagesDeploySideBySide creates the translated template as dev and as
// prod in one moto CloudFormation: both complete, with their own table and
// buckets.
func TestStagesDeploySideBySide(t *testing.T) {
	python := venvPython(t, "moto_server")
	var stages map[string]struct {
		Status, Reason string
		Physical       map[string]string
		NotCreated     []string `json:"not_created"`
	}
	runMoto(t, python, &stages, "dev", "prod")
	names := map[string]string{}
	for _, stage := range []string{"dev", "prod"} {
		s := stages[stage]
		if s.Status != "CREATE_COMPLETE" {
			t.Errorf("%s: %s %s", stage, s.Status, s.Reason)
		}
		if !slices.Equal(s.NotCreated, motoUnsupported) {
			t.Errorf("%s: moto did not create %v; the test expects exactly %v", stage, s.NotCreated, motoUnsupported)
		}
		for _, id := range []string{"ExamTable", "ResultsBucket", "AccessLogsBucket", "DataKeyAlias", "ProcessResultFailures", "AlarmTopic", "Dashboard", "DataEventsTrailBucket"} {
			name := s.Physical[id]
			if name == "" {
				t.Errorf("%s: no %s", stage, id)
				continue
			}
			if other, taken := names[name]; taken {
				t.Errorf("%s's %s and %s share the name %s", stage, id, other, name)
			}
			names[name] = stage + "'s " + id
			// The log buckets' names are generated, unique by themselves.
			if id != "AccessLogsBucket" && id != "DataEventsTrailBucket" && !strings.Contains(name, stage) {
				t.Errorf("%s's %s is %s, without the stage", stage, id, name)
			}
		}
	}
}
