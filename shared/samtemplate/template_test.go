package samtemplate

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/console"
	"github.com/zmed/exam-manager/shared/httpapi"
)

func load(t *testing.T) Template {
	t.Helper()
	tpl, err := Load(filepath.Join(Root(), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestEveryFolderHasOneFunction(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join(Root(), "functions"))
	if err != nil {
		t.Fatal(err)
	}
	fns := load(t).Resources("AWS::Serverless::Function")
	folders := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() {
			folders[LogicalID(e.Name())] = true
			if fns[LogicalID(e.Name())] == nil {
				t.Errorf("functions/%s has no %s in template.yaml", e.Name(), LogicalID(e.Name()))
			}
		}
	}
	for id := range fns {
		if !folders[id] {
			t.Errorf("template.yaml declares %s, which has no functions/ folder", id)
		}
	}
	if len(fns) != len(folders) || len(fns) == 0 {
		t.Errorf("%d functions in the template for %d folders", len(fns), len(folders))
	}
}

func TestRoutesMatchTheCode(t *testing.T) {
	inTemplate := map[apigw.Route]string{}
	for id, fn := range load(t).Resources("AWS::Serverless::Function") {
		events, _ := Get(fn, "Properties", "Events").(map[string]any)
		for _, ev := range events {
			if Get(ev, "Type") != "HttpApi" {
				continue
			}
			route := apigw.Route{Method: Get(ev, "Properties", "Method").(string), Path: Get(ev, "Properties", "Path").(string)}
			if prev, dup := inTemplate[route]; dup {
				t.Errorf("route %s is on both %s and %s", route, prev, id)
			}
			inTemplate[route] = id
		}
	}
	served := map[apigw.Route]bool{}
	for _, r := range console.Routes() {
		served[r] = true
		if got := inTemplate[r]; got != LogicalID(console.Function) {
			t.Errorf("the console serves %s from functions/%s; the template routes it to %q", r, console.Function, got)
		}
	}
	for _, e := range httpapi.Endpoints() {
		served[e.Route] = true
		if got := inTemplate[e.Route]; got != LogicalID(e.Function) {
			t.Errorf("the code serves %s from functions/%s; the template routes it to %q", e.Route, e.Function, got)
		}
	}
	for route, id := range inTemplate {
		if !served[route] {
			t.Errorf("template route %s (%s) is not served by the code", route, id)
		}
	}
}

// TestOnlyTheConsoleIsPublic: the console's routes opt out of the authorizer
// (the page must load before sign-in, and holds no data); every other route
// keeps the API's default JWT authorizer, and the API has one.
func TestOnlyTheConsoleIsPublic(t *testing.T) {
	tpl := load(t)
	api := tpl.Resources("AWS::Serverless::HttpApi")["HttpApi"]
	if def := Get(api, "Properties", "Auth", "DefaultAuthorizer"); def != "AttendantsAuthorizer" {
		t.Fatalf("the HTTP API's default authorizer is %v, want AttendantsAuthorizer", def)
	}
	if Get(api, "Properties", "Auth", "Authorizers", "AttendantsAuthorizer", "JwtConfiguration") == nil {
		t.Fatal("AttendantsAuthorizer is not a JWT authorizer")
	}
	public := map[apigw.Route]bool{}
	for _, r := range console.Routes() {
		public[r] = true
	}
	routes := 0
	for id, fn := range tpl.Resources("AWS::Serverless::Function") {
		events, _ := Get(fn, "Properties", "Events").(map[string]any)
		for name, ev := range events {
			if Get(ev, "Type") != "HttpApi" {
				continue
			}
			routes++
			route := apigw.Route{Method: Get(ev, "Properties", "Method").(string), Path: Get(ev, "Properties", "Path").(string)}
			auth := Get(ev, "Properties", "Auth")
			switch {
			case public[route] && Get(auth, "Authorizer") != "NONE":
				t.Errorf("%s.%s (%s): the console's route must carry no authorizer (Auth.Authorizer: NONE), has %v", id, name, route, auth)
			case !public[route] && auth != nil:
				t.Errorf("%s.%s (%s) overrides the default authorizer with %v", id, name, route, auth)
			}
		}
	}
	if routes <= len(public) {
		t.Errorf("only %d routes in the template", routes)
	}
}

// statement is one IAM statement of a function, SAM policy templates expanded.
type statement struct {
	effect    string
	actions   []string
	resources []string
}

func statements(fn map[string]any) []statement {
	var out []statement
	policies, _ := Get(fn, "Properties", "Policies").([]any)
	for _, p := range policies {
		if arn := Get(p, "AWSSecretsManagerGetSecretValuePolicy", "SecretArn"); arn != nil {
			out = append(out, statement{"Allow", []string{"secretsmanager:GetSecretValue"}, []string{render(arn)}})
			continue
		}
		stmts, _ := Get(p, "Statement").([]any)
		if len(stmts) == 0 {
			out = append(out, statement{"Allow", []string{"unknown policy " + render(p)}, []string{"*"}})
		}
		for _, s := range stmts {
			out = append(out, statement{
				effect:    Get(s, "Effect").(string),
				actions:   strings.Fields(render(Get(s, "Action"))),
				resources: strings.Fields(render(Get(s, "Resource"))),
			})
		}
	}
	return out
}

// render flattens a value to space-separated words, intrinsics as their arguments.
func render(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = render(e)
		}
		return strings.Join(parts, " ")
	case []string:
		return strings.Join(x, ".")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+"("+strings.ReplaceAll(render(x[k]), " ", ",")+")")
		}
		return strings.Join(parts, " ")
	}
	return ""
}

var dataResource = regexp.MustCompile(`ExamTable|ResultsBucket|:s3:::|Secret`)

func TestLeastPrivilege(t *testing.T) {
	fns := load(t).Resources("AWS::Serverless::Function")
	for id, fn := range fns {
		for _, s := range statements(fn) {
			if s.effect != "Allow" {
				continue
			}
			for _, a := range s.actions {
				if a == "*" || strings.HasSuffix(a, ":*") || strings.Contains(a, "unknown policy") {
					t.Errorf("%s: wildcard or unknown action %q", id, a)
				}
			}
			for _, r := range s.resources {
				if r == "*" {
					for _, a := range s.actions {
						if !strings.HasPrefix(a, "sns:") {
							t.Errorf("%s: %s on every resource", id, a)
						}
					}
				}
				if dataResource.MatchString(r) {
					for _, a := range s.actions {
						if strings.Contains(a, "*") {
							t.Errorf("%s: wildcard action %s on %s", id, a, r)
						}
					}
				}
			}
		}
	}

	write := regexp.MustCompile(`(?i):(Put|Update|Delete|Write|BatchWrite|Create|Publish|Send)`)
	for _, id := range []string{"ListExamsFunction", "ExamWorklistFunction"} {
		if fns[id] == nil {
			t.Fatalf("no %s", id)
		}
		for _, s := range statements(fns[id]) {
			for _, a := range s.actions {
				if s.effect == "Allow" && write.MatchString(a) {
					t.Errorf("%s may %s", id, a)
				}
			}
		}
	}
	// The worklist reads only its index, which holds no CPF: of the table, it
	// may Query that index and nothing else.
	for _, s := range statements(fns["ExamWorklistFunction"]) {
		for _, a := range s.actions {
			if strings.HasPrefix(a, "dynamodb:") && (a != "dynamodb:Query" ||
				!slices.Equal(s.resources, []string{"Fn::Sub(${ExamTable.Arn}/index/status-status_at-index)"})) {
				t.Errorf("ExamWorklistFunction may %s on %v; only dynamodb:Query on the worklist index", a, s.resources)
			}
		}
	}

	// Sending is granted only where the code sends.
	senders := map[string]bool{"CommunicateResultFunction": true, "ProcessResultFunction": true}
	for id, fn := range fns {
		for _, s := range statements(fn) {
			for _, a := range s.actions {
				if s.effect == "Allow" && (a == "sns:Publish" || a == "ses:SendEmail") && !senders[id] {
					t.Errorf("%s may %s but never notifies", id, a)
				}
			}
		}
	}
}

// What process-result may do in completed/ (read, copy from and delete the
// version its event names) and in the outcome folders (file a copy, with its
// tags, and recognise its own earlier copy).
var (
	completedActions = []string{"s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectVersionTagging", "s3:DeleteObject", "s3:DeleteObjectVersion"}
	outcomeActions   = []string{"s3:PutObject", "s3:PutObjectTagging", "s3:GetObject"}
)

func TestProcessResultCanOnlyTouchItsFolders(t *testing.T) {
	fn := load(t).Resources("AWS::Serverless::Function")["ProcessResultFunction"]
	// The version-exact filing needs these: without them S3 refuses the versioned calls.
	granted := map[string]bool{}
	for _, s := range statements(fn) {
		for _, a := range s.actions {
			for _, r := range s.resources {
				if s.effect == "Allow" && strings.Contains(r, "/completed/*") {
					granted[a] = true
				}
			}
		}
	}
	for _, a := range []string{"s3:GetObjectVersion", "s3:DeleteObjectVersion"} {
		if !granted[a] {
			t.Errorf("ProcessResultFunction lacks %s on completed/*", a)
		}
	}
	for _, s := range statements(fn) {
		for _, a := range s.actions {
			if !strings.HasPrefix(a, "s3:") || s.effect != "Allow" {
				continue
			}
			for _, r := range s.resources {
				switch {
				case a == "s3:ListBucket" && !strings.Contains(r, "/"):
				case slices.Contains(completedActions, a) && strings.Contains(r, "/completed/*"):
				case slices.Contains(outcomeActions, a) && regexp.MustCompile(`/(processed|stuck|denied|deleted)/\*`).MatchString(r):
				default:
					t.Errorf("ProcessResultFunction: %s on %s", a, r)
				}
			}
		}
	}
}

// TestResultsBucketIsVersioned: processing files and deletes exactly the
// version its event names, which needs a versioned bucket (docs/results.md).
func TestResultsBucketIsVersioned(t *testing.T) {
	bucket := load(t).Resources("AWS::S3::Bucket")["ResultsBucket"]
	if got := Get(bucket, "Properties", "VersioningConfiguration", "Status"); got != "Enabled" {
		t.Fatalf("ResultsBucket versioning is %v, want Enabled", got)
	}
}
