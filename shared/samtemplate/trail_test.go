package samtemplate

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// selectorFields renders an advanced event selector as field → operator:values.
func selectorFields(sel any) map[string]string {
	out := map[string]string{}
	fields, _ := Get(sel, "FieldSelectors").([]any)
	for _, f := range fields {
		m, _ := f.(map[string]any)
		for op, v := range m {
			if op != "Field" {
				out[fmt.Sprint(m["Field"])] += op + ":" + flat(v)
			}
		}
	}
	return out
}

// TestDataEventsTrail: who read or wrote which result, and who called the
// exam table, recorded by a trail of the stack, unless CreateDataEventsTrail
// says an organisation trail does it.
func TestDataEventsTrail(t *testing.T) {
	onBothTemplates(t, func(t *testing.T, tpl Template) {
		trails := tpl.Resources("AWS::CloudTrail::Trail")
		trail := trails["DataEventsTrail"]
		if len(trails) != 1 || trail == nil {
			t.Fatalf("trails %v, want DataEventsTrail alone", trails)
		}
		if trail["Condition"] != "CreatesTrail" || fmt.Sprint(Get(tpl, "Conditions", "CreatesTrail")) != "map[Fn::Equals:[map[Ref:CreateDataEventsTrail] true]]" {
			t.Errorf("the trail's condition is %v (%v), want CreateDataEventsTrail = true", trail["Condition"], Get(tpl, "Conditions", "CreatesTrail"))
		}
		if Get(tpl, "Parameters", "CreateDataEventsTrail", "Default") != "true" {
			t.Error("CreateDataEventsTrail must default to true (a stack without an organisation trail records its data events)")
		}
		p := Get(trail, "Properties")
		for key, want := range map[string]string{
			"EnableLogFileValidation": "true",
			"IsLogging":               "true",
			"KMSKeyId":                "Fn::GetAtt(DataKey,Arn)",
			"TrailName":               "Fn::Sub(zmed-exam-manager-data-${Stage})",
		} {
			if got := flat(Get(p, key)); got != want {
				t.Errorf("the trail's %s is %s, want %s", key, got, want)
			}
		}

		// Object reads and writes of the results bucket (no readOnly field: both), calls on the exam table.
		bucketName := strings.TrimSuffix(strings.TrimPrefix(flat(Get(tpl, "Resources", "ResultsBucket", "Properties", "BucketName")), "Fn::Sub("), ")")
		want := []map[string]string{
			{"eventCategory": "Equals:Data", "resources.type": "Equals:AWS::S3::Object", "resources.ARN": "StartsWith:Fn::Sub(arn:${AWS::Partition}:s3:::" + bucketName + "/)"},
			{"eventCategory": "Equals:Data", "resources.type": "Equals:AWS::DynamoDB::Table", "resources.ARN": "Equals:Fn::GetAtt(ExamTable,Arn)"},
		}
		selectors, _ := Get(p, "AdvancedEventSelectors").([]any)
		var got []map[string]string
		for _, s := range selectors {
			got = append(got, selectorFields(s))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("the trail's selectors:\n%v\nwant\n%v", got, want)
		}

		// Its own bucket: encrypted with the stack's key, retained, access-blocked, versioned, TLS only, and
		// CloudTrail may write there for this trail only.
		bucketID := fmt.Sprint(Get(p, "S3BucketName", "Ref"))
		bucket := tpl.Resources("AWS::S3::Bucket")[bucketID]
		if bucket == nil {
			t.Fatalf("the trail writes to %v, not a bucket of the template", Get(p, "S3BucketName"))
		}
		if bucket["Condition"] != "CreatesTrail" || bucket["DeletionPolicy"] != "RetainExceptOnCreate" {
			t.Errorf("%s: condition %v, deletion policy %v", bucketID, bucket["Condition"], bucket["DeletionPolicy"])
		}
		sse := flat(Get(bucket, "Properties", "BucketEncryption"))
		if !strings.Contains(sse, "SSEAlgorithm(aws:kms)") || !strings.Contains(sse, "Fn::GetAtt(DataKey,Arn)") {
			t.Errorf("%s is encrypted with %s, want DataKey", bucketID, sse)
		}
		for _, block := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
			if Get(bucket, "Properties", "PublicAccessBlockConfiguration", block) != "true" {
				t.Errorf("%s: %s is not on", bucketID, block)
			}
		}
		if Get(bucket, "Properties", "VersioningConfiguration", "Status") != "Enabled" {
			t.Errorf("%s is not versioned", bucketID)
		}
		trailArn := "arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/zmed-exam-manager-data-${Stage}"
		var granted []string
		for _, s := range bucketPolicyStatements(tpl, bucketID) {
			if Get(s, "Principal", "Service") == "cloudtrail.amazonaws.com" && Get(s, "Effect") == "Allow" {
				if got := flat(Get(s, "Condition", "StringEquals", "aws:SourceArn")); got != "Fn::Sub("+trailArn+")" {
					t.Errorf("%s lets CloudTrail %v for %s, want for this trail only", bucketID, Get(s, "Action"), got)
				}
				granted = append(granted, flat(Get(s, "Action")))
			}
		}
		slices.Sort(granted)
		if !slices.Equal(granted, []string{"s3:GetBucketAcl", "s3:PutObject"}) {
			t.Errorf("CloudTrail may %v on %s, want s3:GetBucketAcl and s3:PutObject", granted, bucketID)
		}
		// The key lets CloudTrail encrypt for this trail only.
		found := false
		for _, s := range keyStatements(tpl) {
			if Get(s, "Principal", "Service") == "cloudtrail.amazonaws.com" {
				found = true
				if got := flat(Get(s, "Condition", "StringEquals", "aws:SourceArn")); got != "Fn::Sub("+trailArn+")" {
					t.Errorf("DataKey lets CloudTrail encrypt for %s, want this trail only", got)
				}
			}
		}
		if !found {
			t.Error("DataKey's policy does not let CloudTrail encrypt the trail's logs")
		}
	})
}

// bucketPolicyStatements are the statements of the bucket policies of the bucket bucketID, conditional ones included.
func bucketPolicyStatements(tpl Template, bucketID string) []any {
	var out []any
	for _, p := range tpl.Resources("AWS::S3::BucketPolicy") {
		if Get(p, "Properties", "Bucket", "Ref") != bucketID {
			continue
		}
		list, _ := Get(p, "Properties", "PolicyDocument", "Statement").([]any)
		for _, s := range list {
			out = append(out, ifBranches(s)...)
		}
	}
	return out
}

// TestEveryQueueTopicAndBucketRefusesPlainHTTP: a request without TLS is denied
// by the resource's own policy, whatever the caller's rights.
func TestEveryQueueTopicAndBucketRefusesPlainHTTP(t *testing.T) {
	onBothTemplates(t, func(t *testing.T, tpl Template) {
		kinds := []struct{ resource, policy, targets, service string }{
			{"AWS::SQS::Queue", "AWS::SQS::QueuePolicy", "Queues", "sqs"},
			{"AWS::SNS::Topic", "AWS::SNS::TopicPolicy", "Topics", "sns"},
			{"AWS::S3::Bucket", "AWS::S3::BucketPolicy", "Bucket", "s3"},
		}
		for _, k := range kinds {
			resources := tpl.Resources(k.resource)
			if len(resources) == 0 {
				t.Errorf("no %s", k.resource)
			}
			for id := range resources {
				denied := false
				for _, p := range tpl.Resources(k.policy) {
					if !strings.Contains(fmt.Sprint(Get(p, "Properties", k.targets)), "Ref:"+id+"]") {
						continue
					}
					list, _ := Get(p, "Properties", "PolicyDocument", "Statement").([]any)
					for _, s := range list {
						if Get(s, "Effect") == "Deny" && Get(s, "Principal") == "*" &&
							strings.EqualFold(flat(Get(s, "Action")), k.service+":*") &&
							Get(s, "Condition", "Bool", "aws:SecureTransport") == "false" {
							denied = true
						}
					}
				}
				if !denied {
					t.Errorf("%s %s: no policy denies %s:* without TLS (aws:SecureTransport)", k.resource, id, k.service)
				}
			}
		}
	})
}
