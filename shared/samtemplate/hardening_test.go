package samtemplate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoPartitionLiteral: ARNs name ${AWS::Partition}, so the stack deploys
// to GovCloud and China as well.
func TestNoPartitionLiteral(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(Root(), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(raw), "\n") {
		// The principal parameter's pattern is the one place a partition is spelled out.
		if strings.Contains(line, "arn:aws:") || (strings.Contains(line, "arn:aws") && !strings.Contains(line, "AllowedPattern")) {
			t.Errorf("template.yaml:%d: a literal partition: %s", i+1, strings.TrimSpace(line))
		}
	}
}

// TestEveryLogGroupIsDeclaredWithARetention: function logs live in the stack
// and expire by stage, instead of in groups Lambda creates that never expire.
func TestEveryLogGroupIsDeclaredWithARetention(t *testing.T) {
	tpl := load(t)
	groups := tpl.Resources("AWS::Logs::LogGroup")
	for id, g := range groups {
		if Get(g, "Properties", "RetentionInDays") == nil {
			t.Errorf("log group %s has no retention", id)
		}
		if name := fmt.Sprint(Get(g, "Properties", "LogGroupName")); !strings.Contains(name, "${Stage}") {
			t.Errorf("log group %s is not named by stage: %s", id, name)
		}
	}
	for id, fn := range tpl.Resources("AWS::Serverless::Function") {
		ref, _ := Get(fn, "Properties", "LoggingConfig", "LogGroup").(map[string]any)
		if groups[fmt.Sprint(ref["Ref"])] == nil {
			t.Errorf("%s does not log to a log group of the template", id)
		}
	}
}

// TestStatefulResourcesAreRetained: deleting the stack (or replacing a
// resource) keeps the exams, the results, the keys and the attendants.
func TestStatefulResourcesAreRetained(t *testing.T) {
	tpl := load(t)
	stateful := []string{"AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::SecretsManager::Secret", "AWS::Cognito::UserPool", "AWS::KMS::Key", "AWS::SQS::Queue", "AWS::Logs::LogGroup"}
	for _, typ := range stateful {
		resources := tpl.Resources(typ)
		if len(resources) == 0 {
			t.Errorf("no %s in the template", typ)
		}
		for id, r := range resources {
			if r["DeletionPolicy"] == nil || r["UpdateReplacePolicy"] == nil {
				t.Errorf("%s (%s) is not retained on deletion and replacement", id, typ)
			}
		}
	}
	for id, table := range tpl.Resources("AWS::DynamoDB::Table") {
		if got := fmt.Sprint(Get(table, "Properties", "DeletionProtectionEnabled")); got != "map[Fn::If:[ProtectsData true false]]" {
			t.Errorf("table %s's deletion protection is %s, want it to follow ProtectsData", id, got)
		}
	}
	for id, pool := range tpl.Resources("AWS::Cognito::UserPool") {
		if got := fmt.Sprint(Get(pool, "Properties", "DeletionProtection")); got != "map[Fn::If:[ProtectsData ACTIVE INACTIVE]]" {
			t.Errorf("user pool %s's deletion protection is %s, want it to follow ProtectsData", id, got)
		}
	}
}

// TestAttendantsNeedASecondFactor: the attendants reach patient data.
func TestAttendantsNeedASecondFactor(t *testing.T) {
	tpl := load(t)
	for id, pool := range tpl.Resources("AWS::Cognito::UserPool") {
		if Get(pool, "Properties", "MfaConfiguration") != "ON" {
			t.Errorf("user pool %s: MFA is %v, want ON", id, Get(pool, "Properties", "MfaConfiguration"))
		}
	}
	for id, client := range tpl.Resources("AWS::Cognito::UserPoolClient") {
		for _, flow := range Get(client, "Properties", "ExplicitAuthFlows").([]any) {
			if flow == "ALLOW_USER_PASSWORD_AUTH" {
				t.Errorf("client %s sends passwords themselves (ALLOW_USER_PASSWORD_AUTH)", id)
			}
		}
	}
}

// TestNamedResourcesCarryTheStage: two stages deploy side by side.
func TestNamedResourcesCarryTheStage(t *testing.T) {
	tpl := load(t)
	names := map[string]string{
		"AWS::DynamoDB::Table":        "TableName",
		"AWS::Cognito::UserPool":      "UserPoolName",
		"AWS::SecretsManager::Secret": "Name",
		"AWS::SQS::Queue":             "QueueName",
		"AWS::KMS::Alias":             "AliasName",
		"AWS::CloudTrail::Trail":      "TrailName",
		"AWS::SNS::Topic":             "TopicName",
		"AWS::CloudWatch::Dashboard":  "DashboardName",
	}
	for typ, property := range names {
		for id, r := range tpl.Resources(typ) {
			if name := fmt.Sprint(Get(r, "Properties", property)); !strings.Contains(name, "${Stage}") {
				t.Errorf("%s's %s does not carry the stage: %s", id, property, name)
			}
		}
	}
	bucket := fmt.Sprint(Get(tpl.Resources("AWS::S3::Bucket")["ResultsBucket"], "Properties", "BucketName"))
	if !strings.Contains(bucket, "${Stage}") {
		t.Errorf("the results bucket's name does not carry the stage: %s", bucket)
	}
	if env := fmt.Sprint(tpl.Environment("ProcessResultFunction")["ZMED_S3_BUCKET"]); env != bucket {
		t.Errorf("process-result's ZMED_S3_BUCKET %s is not the bucket's name %s", env, bucket)
	}
}

// TestOnlyTheResultsBucketInvokesProcessResult: the permission names the
// bucket, so no other bucket of the account can invoke the function.
func TestOnlyTheResultsBucketInvokesProcessResult(t *testing.T) {
	tpl := load(t)
	bucket := fmt.Sprint(Get(tpl.Resources("AWS::S3::Bucket")["ResultsBucket"], "Properties", "BucketName"))
	found := 0
	for id, p := range tpl.Resources("AWS::Lambda::Permission") {
		if Get(p, "Properties", "Principal") != "s3.amazonaws.com" {
			continue
		}
		found++
		arn := fmt.Sprint(Get(p, "Properties", "SourceArn"))
		if !strings.Contains(arn, strings.TrimSuffix(strings.TrimPrefix(bucket, "map[Fn::Sub:"), "]")) || Get(p, "Properties", "SourceAccount") == nil {
			t.Errorf("%s: SourceArn %s, SourceAccount %v; want the results bucket of this account", id, arn, Get(p, "Properties", "SourceAccount"))
		}
	}
	if found != 1 {
		t.Errorf("%d S3 invoke permissions, want 1", found)
	}
}

// TestResultsAndKeysUseTheStacksRotatingKey: a customer managed key, which
// can be granted to the execution team, and rotates.
func TestResultsAndKeysUseTheStacksRotatingKey(t *testing.T) {
	tpl := load(t)
	key := tpl.Resources("AWS::KMS::Key")["DataKey"]
	if Get(key, "Properties", "EnableKeyRotation") != "true" {
		t.Error("DataKey does not rotate")
	}
	sse := Get(tpl.Resources("AWS::S3::Bucket")["ResultsBucket"], "Properties", "BucketEncryption", "ServerSideEncryptionConfiguration").([]any)
	if got := fmt.Sprint(Get(sse[0], "ServerSideEncryptionByDefault", "KMSMasterKeyID")); got != "map[Fn::GetAtt:[DataKey Arn]]" {
		t.Errorf("the results bucket is encrypted with %s, want DataKey", got)
	}
	for id, s := range tpl.Resources("AWS::SecretsManager::Secret") {
		if got := fmt.Sprint(Get(s, "Properties", "KmsKeyId")); got != "map[Ref:DataKey]" {
			t.Errorf("secret %s is encrypted with %s, want DataKey", id, got)
		}
	}
}

// TestCheckovSkipsGiveTheirReason: a finding checkov would report is skipped
// only beside its resource and with the reason (make checkov).
func TestCheckovSkipsGiveTheirReason(t *testing.T) {
	resources, _ := load(t)["Resources"].(map[string]any)
	skipped := 0
	for id, r := range resources {
		skips, _ := Get(r, "Metadata", "checkov", "skip").([]any)
		for _, s := range skips {
			skipped++
			check, _ := Get(s, "id").(string)
			if !strings.HasPrefix(check, "CKV_") || len(strings.Fields(fmt.Sprint(Get(s, "comment")))) < 5 {
				t.Errorf("%s skips %v without a reason: %v", id, Get(s, "id"), Get(s, "comment"))
			}
		}
	}
	if skipped == 0 {
		t.Error("no checkov skip in the template: the test reads the wrong place")
	}
}
