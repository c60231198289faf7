package samtemplate

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/keyrotation"
)

// TestTokenKeysRotate: each token key secret has a rotation schedule on the
// rotation function's live alias, every TokenKeyRotationDays, not started at
// deploy time; Secrets Manager of this account alone may call the function.
func TestTokenKeysRotate(t *testing.T) {
	tpl := load(t)
	fn := LogicalID(keyrotation.Function)
	schedules := tpl.Resources("AWS::SecretsManager::RotationSchedule")
	var rotated []string
	for id, r := range schedules {
		secret, _ := Get(r, "Properties", "SecretId", "Ref").(string)
		rotated = append(rotated, secret)
		if got := Get(r, "Properties", "RotationLambdaARN", "Ref"); got != fn+".Alias" {
			t.Errorf("%s: RotationLambdaARN %v, want the live alias of %s", id, got, fn)
		}
		if got := Get(r, "Properties", "RotateImmediatelyOnUpdate"); got != "false" {
			t.Errorf("%s: RotateImmediatelyOnUpdate %v: the first rotation must not come at deploy time", id, got)
		}
		if got := Get(r, "Properties", "RotationRules", "AutomaticallyAfterDays", "Ref"); got != "TokenKeyRotationDays" {
			t.Errorf("%s: AutomaticallyAfterDays %v, want TokenKeyRotationDays", id, got)
		}
		if got := Get(r, "DependsOn"); got != "RotateTokenKeysPermission" {
			t.Errorf("%s: DependsOn %v: the schedule checks the function, which needs its permission first", id, got)
		}
	}
	slices.Sort(rotated)
	if want := []string{"ExamTokenKeySecret", "ResultTokenKeySecret"}; !slices.Equal(rotated, want) {
		t.Fatalf("rotation schedules on %v, want %v", rotated, want)
	}

	perm := tpl.Resources("AWS::Lambda::Permission")["RotateTokenKeysPermission"]
	if Get(perm, "Properties", "Principal") != "secretsmanager.amazonaws.com" || Get(perm, "Properties", "FunctionName", "Ref") != fn+".Alias" ||
		Get(perm, "Properties", "SourceAccount", "Ref") != "AWS::AccountId" || Get(perm, "Properties", "Action") != "lambda:InvokeFunction" {
		t.Errorf("RotateTokenKeysPermission: %v", perm)
	}
	env := tpl.Environment(fn)
	if Get(env, config.ExamKeyVar+config.SecretSuffix, "Ref") != "ExamTokenKeySecret" || Get(env, config.ResultKeyVar+config.SecretSuffix, "Ref") != "ResultTokenKeySecret" {
		t.Errorf("%s is not given the two secrets it rotates: %v", fn, env)
	}
}

// TestRotationPeriodOutlivesTokens: both periods are Number parameters in
// days, and the least rotation period exceeds the longest exam token lifetime
// (as start-exam reads it from the template): a key is dropped one rotation
// after it stops signing, so no token it signed is still valid then.
func TestRotationPeriodOutlivesTokens(t *testing.T) {
	tpl := load(t)
	bound := func(param, name string) int {
		if Get(tpl, "Parameters", param, "Type") != "Number" {
			t.Fatalf("%s is not a Number", param)
		}
		s, _ := Get(tpl, "Parameters", param, name).(string)
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("%s has no %s: %v", param, name, err)
		}
		return n
	}
	longest, least, most := bound("ExamTokenTtlDays", "MaxValue"), bound("TokenKeyRotationDays", "MinValue"), bound("TokenKeyRotationDays", "MaxValue")
	if bound("ExamTokenTtlDays", "MinValue") < 1 || most > 1000 {
		t.Errorf("bounds outside what the services take: lifetime from %d days, rotation up to %d days", bound("ExamTokenTtlDays", "MinValue"), most)
	}
	ttl := Get(tpl.Environment("StartExamFunction"), config.ExamTokenTTLVar, "Fn::Sub")
	if ttl != "${ExamTokenTtlDays}d" {
		t.Fatalf("start-exam's %s is %v, want the days of ExamTokenTtlDays", config.ExamTokenTTLVar, ttl)
	}
	r := config.FromMap(map[string]string{config.ExamTokenTTLVar: strconv.Itoa(longest) + "d"})
	lifetime := r.Duration(config.ExamTokenTTLVar, 0)
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if period := time.Duration(least) * 24 * time.Hour; lifetime >= period {
		t.Errorf("a token may live %v, the least rotation period is %v", lifetime, period)
	}
}

// TestRotationFunctionHasLeastPrivilege: the rotation function reaches the
// two token key secrets and nothing else of Secrets Manager, and the stack's
// key only through Secrets Manager; its failures raise an alarm.
func TestRotationFunctionHasLeastPrivilege(t *testing.T) {
	tpl := load(t)
	fn := LogicalID(keyrotation.Function)
	policies, _ := Get(tpl, "Resources", fn, "Properties", "Policies").([]any)
	if len(policies) != 1 {
		t.Fatalf("%s has %d policies, want one statement list", fn, len(policies))
	}
	statements, _ := Get(policies[0], "Statement").([]any)
	for _, s := range statements {
		actions, _ := Get(s, "Action").([]any)
		for _, a := range actions {
			a, _ := a.(string)
			switch {
			case slices.Contains([]string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"}, a):
				resources, _ := Get(s, "Resource").([]any)
				var names []any
				for _, r := range resources {
					names = append(names, Get(r, "Ref"))
				}
				if !slices.Equal(names, []any{"ExamTokenKeySecret", "ResultTokenKeySecret"}) {
					t.Errorf("%s on %v, want the two token key secrets only", a, resources)
				}
			case a == "kms:Decrypt" || a == "kms:GenerateDataKey":
				if Get(s, "Condition", "StringEquals", "kms:ViaService", "Fn::Sub") != "secretsmanager.${AWS::Region}.${AWS::URLSuffix}" || Get(s, "Resource", "Fn::GetAtt") == nil {
					t.Errorf("%s without the Secrets Manager kms:ViaService condition: %v", a, s)
				}
			default:
				t.Errorf("%s may %s, which a rotation does not need", fn, a)
			}
		}
	}
	found := false
	for _, a := range tpl.Resources("AWS::CloudWatch::Alarm") {
		if Get(a, "Properties", "MetricName") == "Errors" && slices.ContainsFunc(asSlice(Get(a, "Properties", "Dimensions")), func(d any) bool {
			return Get(d, "Value", "Ref") == fn
		}) {
			found = Get(a, "Properties", "AlarmActions") != nil
		}
	}
	if !found {
		t.Errorf("no alarm on %s's errors", fn)
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
