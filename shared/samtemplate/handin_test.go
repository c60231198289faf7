package samtemplate

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestResultsBucketTakesPostsFromTheConsoleOnly: the bucket's CORS allows the
// desk's hand-in, a POST, from the console's origin (the API's, as the
// ConsoleUrl output names it) and nothing else: no other method or origin,
// no header, no wildcard.
func TestResultsBucketTakesPostsFromTheConsoleOnly(t *testing.T) {
	tpl := load(t)
	bucket := tpl.Resources("AWS::S3::Bucket")["ResultsBucket"]
	rules, _ := Get(bucket, "Properties", "CorsConfiguration", "CorsRules").([]any)
	if len(rules) != 1 {
		t.Fatalf("the results bucket has %d CORS rules, want 1", len(rules))
	}
	rule, _ := rules[0].(map[string]any)
	if got := fmt.Sprint(rule["AllowedMethods"]); got != "[POST]" {
		t.Errorf("AllowedMethods %s, want [POST]", got)
	}
	console := strings.TrimSuffix(fmt.Sprint(Get(tpl, "Outputs", "ConsoleUrl", "Value", "Fn::Sub")), "/")
	if origins := fmt.Sprint(rule["AllowedOrigins"]); origins != fmt.Sprint([]any{map[string]any{"Fn::Sub": console}}) {
		t.Errorf("AllowedOrigins %s, want the console's origin %s alone", origins, console)
	}
	for _, name := range []string{"AllowedHeaders", "ExposedHeaders"} {
		if rule[name] != nil {
			t.Errorf("the rule allows %s %v", name, rule[name])
		}
	}
	if strings.Contains(fmt.Sprint(rule), "*") {
		t.Errorf("a wildcard in %v", rule)
	}
}

// TestConsoleConnectsToTheResultsBucketsOrigin: the console's CSP setting is
// the results bucket's own origin (its virtual-hosted name, where the
// presigned POST goes), by the bucket's name, not a reference (a cycle).
func TestConsoleConnectsToTheResultsBucketsOrigin(t *testing.T) {
	tpl := load(t)
	name := fmt.Sprint(Get(tpl.Resources("AWS::S3::Bucket")["ResultsBucket"], "Properties", "BucketName", "Fn::Sub"))
	console := tpl.Resources("AWS::Serverless::Function")["ConsoleFunction"]
	got := Get(console, "Properties", "Environment", "Variables", "ZMED_CONSOLE_RESULTS_ORIGIN")
	want := map[string]any{"Fn::Sub": "https://" + name + ".s3.${AWS::Region}.${AWS::URLSuffix}"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ZMED_CONSOLE_RESULTS_ORIGIN is %v, want %v", got, want)
	}
}

// TestHandInFunctionsHoldLeastPrivilege: result-upload may put under
// completed/ only (the form it signs is an upload under its role) and use the
// key through S3 only; result-outcome reads heads, never writes or deletes.
func TestHandInFunctionsHoldLeastPrivilege(t *testing.T) {
	tpl := load(t)
	fns := tpl.Resources("AWS::Serverless::Function")
	actions := func(id string) map[string][]string {
		out := map[string][]string{}
		policies, _ := Get(fns[id], "Properties", "Policies").([]any)
		for _, p := range policies {
			statements, _ := Get(p, "Statement").([]any)
			for _, s := range statements {
				for _, a := range Get(s, "Action").([]any) {
					out[fmt.Sprint(a)] = append(out[fmt.Sprint(a)], fmt.Sprint(Get(s, "Resource")))
				}
			}
		}
		return out
	}
	upload := actions("ResultUploadFunction")
	if got := upload["s3:PutObject"]; len(got) != 1 || !strings.HasSuffix(got[0], "/completed/*]") {
		t.Errorf("result-upload puts on %v, want completed/* alone", got)
	}
	for a := range upload {
		if strings.HasPrefix(a, "s3:") && a != "s3:PutObject" {
			t.Errorf("result-upload may %s", a)
		}
	}
	for a := range actions("ResultOutcomeFunction") {
		if strings.HasPrefix(a, "s3:") && a != "s3:GetObject" && a != "s3:ListBucket" {
			t.Errorf("result-outcome may %s", a)
		}
	}
}
