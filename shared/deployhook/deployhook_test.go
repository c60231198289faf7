package deployhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/zmed/exam-manager/shared/deployhook"
	"github.com/zmed/exam-manager/shared/health"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

const (
	deploymentID = "d-ZMEDTEST1"
	executionID  = "exec-0001"
	function     = "zmed-dev-RegisterExamFunction-AbC123"
	version      = "7"
)

// appSpec is the AppSpec CloudFormation gives CodeDeploy for an alias update.
func appSpec(name, target string) string {
	return `{"version":0.0,"Resources":[{"RegisterExamFunction":{"Type":"AWS::Lambda::Function","Properties":` +
		`{"Name":"` + name + `","Alias":"live","CurrentVersion":"6","TargetVersion":"` + target + `"}}}],` +
		`"Hooks":[{"BeforeAllowTraffic":"CodeDeployHook_zmed-dev-pre-traffic"}]}`
}

// codeDeploy is a CodeDeploy double speaking its JSON 1.1 protocol: it serves
// one deployment's AppSpec and records the statuses reported.
type codeDeploy struct {
	spec      string
	getFails  bool
	putFails  bool
	mu        sync.Mutex
	reported  []string
	malformed []string
}

func (c *codeDeploy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var in map[string]string
	_ = json.Unmarshal(body, &in)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	c.mu.Lock()
	defer c.mu.Unlock()
	switch target := r.Header.Get("X-Amz-Target"); {
	case target == "CodeDeploy_20141006.GetDeployment" && !c.getFails && in["deploymentId"] == deploymentID:
		out, _ := json.Marshal(map[string]any{"deploymentInfo": map[string]any{
			"deploymentId": deploymentID, "applicationName": "zmed-dev-ServerlessDeploymentApplication-X",
			"revision": map[string]any{"revisionType": "AppSpecContent", "appSpecContent": map[string]any{"content": c.spec}},
		}})
		_, _ = w.Write(out)
	case target == "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus" && !c.putFails:
		if in["deploymentId"] != deploymentID || in["lifecycleEventHookExecutionId"] != executionID {
			c.malformed = append(c.malformed, string(body))
		}
		c.reported = append(c.reported, in["status"])
		_, _ = w.Write([]byte(`{"lifecycleEventHookExecutionId":"` + executionID + `"}`))
	default:
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"DeploymentDoesNotExistException","message":"no"}`))
	}
}

func (c *codeDeploy) statuses() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.reported...)
}

// lambdaAPI is a Lambda double speaking its REST-JSON Invoke: answer gives the
// invoked version's answer to the event (status, function error, payload);
// invoked records what was invoked.
type lambdaAPI struct {
	answer  func(r *http.Request, event []byte) (status int, functionError, payload string)
	mu      sync.Mutex
	invoked []string
}

func (l *lambdaAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	event, _ := io.ReadAll(r.Body)
	l.mu.Lock()
	l.invoked = append(l.invoked, r.URL.Path+"?"+r.URL.RawQuery)
	l.mu.Unlock()
	status, fnErr, payload := l.answer(r, event)
	if fnErr != "" {
		w.Header().Set("X-Amz-Function-Error", fnErr)
	}
	w.Header().Set("X-Amz-Executed-Version", r.URL.Query().Get("Qualifier"))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(payload))
}

func (l *lambdaAPI) calls() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.invoked...)
}

// healthy answers the API health event as the new version does.
func healthy(_ *http.Request, event []byte) (int, string, string) {
	var req struct{ RouteKey string }
	if json.Unmarshal(event, &req) != nil || req.RouteKey != health.RouteKey {
		return 200, "", `{"statusCode":404,"body":"{}"}`
	}
	return 200, "", apiAnswer(health.Answer{Health: health.OK, Kind: health.API, Function: function, Version: version})
}

func apiAnswer(a health.Answer) string {
	body, _ := json.Marshal(a)
	out, _ := json.Marshal(map[string]any{"statusCode": 200, "body": string(body)})
	return string(out)
}

func answering(status int, fnErr, payload string) func(*http.Request, []byte) (int, string, string) {
	return func(*http.Request, []byte) (int, string, string) { return status, fnErr, payload }
}

type setup struct {
	cd     *codeDeploy
	lambda *lambdaAPI
	hook   deployhook.Hook
}

func start(t *testing.T, spec string, answer func(*http.Request, []byte) (int, string, string)) *setup {
	t.Helper()
	s := &setup{cd: &codeDeploy{spec: spec}, lambda: &lambdaAPI{answer: answer}}
	cdServer, lambdaServer := httptest.NewServer(s.cd), httptest.NewServer(s.lambda)
	t.Cleanup(cdServer.Close)
	t.Cleanup(lambdaServer.Close)
	s.hook = deployhook.Hook{
		Deployments: codedeploy.NewFromConfig(emulators.Config(cdServer.URL)),
		Lambda:      lambda.NewFromConfig(emulators.Config(lambdaServer.URL)),
		Functions:   map[string]health.Kind{function: health.API, "zmed-dev-ProcessResultFunction-Q": health.S3},
	}
	return s
}

// TestHookReportsTheNewVersionsAnswer: the hook invokes the version the
// deployment shifts to with the health event of the function's kind and
// reports Succeeded on the right answer only; it reports, once, whatever happened.
func TestHookReportsTheNewVersionsAnswer(t *testing.T) {
	wrongKind := apiAnswer(health.Answer{Health: health.OK, Kind: health.S3, Version: version})
	oldVersion := apiAnswer(health.Answer{Health: health.OK, Kind: health.API, Version: "6"})
	for _, tc := range []struct {
		name   string
		spec   string
		answer func(*http.Request, []byte) (int, string, string)
		getErr bool
		want   cdtypes.LifecycleEventStatus
	}{
		{"the right answer", appSpec(function, version), healthy, false, cdtypes.LifecycleEventStatusSucceeded},
		{"the right answer, the function named by its ARN", appSpec("arn:aws:lambda:sa-east-1:123456789012:function:"+function, version), healthy, false, cdtypes.LifecycleEventStatusSucceeded},
		{"an error answered", appSpec(function, version), answering(200, "Unhandled", `{"errorType":"Runtime.ExitError","errorMessage":"exit status 1"}`), false, cdtypes.LifecycleEventStatusFailed},
		{"a 500 answered", appSpec(function, version), answering(200, "", `{"statusCode":500,"body":"{\"error\":{}}"}`), false, cdtypes.LifecycleEventStatusFailed},
		{"a request served as a route", appSpec(function, version), answering(200, "", `{"statusCode":404,"body":"{\"error\":{\"code\":\"NOT_FOUND\"}}"}`), false, cdtypes.LifecycleEventStatusFailed},
		{"another kind's answer", appSpec(function, version), answering(200, "", wrongKind), false, cdtypes.LifecycleEventStatusFailed},
		{"another version's answer", appSpec(function, version), answering(200, "", oldVersion), false, cdtypes.LifecycleEventStatusFailed},
		{"not JSON", appSpec(function, version), answering(200, "", `ok`), false, cdtypes.LifecycleEventStatusFailed},
		{"the invoke refused", appSpec(function, version), answering(404, "", `{"Type":"User","message":"Function not found"}`), false, cdtypes.LifecycleEventStatusFailed},
		{"a function the hook does not know", appSpec("zmed-dev-Other-1", version), healthy, false, cdtypes.LifecycleEventStatusFailed},
		{"an AppSpec without a target", `{"version":0.0,"Resources":[]}`, healthy, false, cdtypes.LifecycleEventStatusFailed},
		{"the deployment not found", appSpec(function, version), healthy, true, cdtypes.LifecycleEventStatusFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, tc.spec, tc.answer)
			s.cd.getFails = tc.getErr
			logs := logtest.Capture(t)
			if err := s.hook.Handle(context.Background(), deployhook.Event{DeploymentID: deploymentID, LifecycleEventHookExecutionID: executionID}); err != nil {
				t.Fatalf("Handle: %v (the outcome was reported)", err)
			}
			if got := s.cd.statuses(); len(got) != 1 || got[0] != string(tc.want) {
				t.Fatalf("reported %v, want [%s]", got, tc.want)
			}
			if len(s.cd.malformed) > 0 {
				t.Fatalf("reports naming another deployment or execution: %v", s.cd.malformed)
			}
			// One line says the outcome, with the deployment (what the runbook searches for).
			want := map[cdtypes.LifecycleEventStatus]string{cdtypes.LifecycleEventStatusSucceeded: "pre-traffic check passed", cdtypes.LifecycleEventStatusFailed: "pre-traffic check failed"}[tc.want]
			var lines []map[string]any
			for _, r := range logtest.Records(t, logs.Bytes()) {
				if strings.HasPrefix(fmt.Sprint(r["msg"]), "pre-traffic check") {
					lines = append(lines, r)
				}
			}
			if len(lines) != 1 || lines[0]["msg"] != want || lines[0]["deployment"] != deploymentID {
				t.Fatalf("outcome lines %v, want one %q naming the deployment", lines, want)
			}
			if tc.answer != nil && !tc.getErr && strings.Contains(tc.spec, function) {
				name := function
				if strings.Contains(tc.spec, "arn:") {
					name = "arn:aws:lambda:sa-east-1:123456789012:function:" + function
				}
				want := "/2015-03-31/functions/" + name + "/invocations?Qualifier=" + version
				if calls := s.lambda.calls(); len(calls) != 1 || calls[0] != want {
					t.Fatalf("invoked %v, want [%s]", calls, want)
				}
			}
		})
	}
}

// TestHookReportsFailedWhenTheNewVersionHangs: a version that never answers
// is cut before the hook's own deadline, which is kept to report Failed.
func TestHookReportsFailedWhenTheNewVersionHangs(t *testing.T) {
	s := start(t, appSpec(function, version), func(r *http.Request, _ []byte) (int, string, string) {
		<-r.Context().Done() // until the hook gives up
		return 200, "", ""
	})
	s.hook.Reserve = time.Minute
	// The hook's deadline: its check gets a few seconds, the report a minute.
	ctx, cancel := context.WithTimeout(context.Background(), s.hook.Reserve+3*time.Second)
	defer cancel()
	if err := s.hook.Handle(ctx, deployhook.Event{DeploymentID: deploymentID, LifecycleEventHookExecutionID: executionID}); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if got := s.cd.statuses(); len(got) != 1 || got[0] != string(cdtypes.LifecycleEventStatusFailed) {
		t.Fatalf("reported %v, want [Failed]", got)
	}
	if ctx.Err() != nil {
		t.Fatal("the hook reported only at its own deadline")
	}
}

// TestHookFailsWhenItCannotReport: Lambda then retries the hook.
func TestHookFailsWhenItCannotReport(t *testing.T) {
	s := start(t, appSpec(function, version), healthy)
	s.cd.putFails = true
	err := s.hook.Handle(context.Background(), deployhook.Event{DeploymentID: deploymentID, LifecycleEventHookExecutionID: executionID})
	if err == nil || !strings.Contains(err.Error(), "Succeeded") {
		t.Fatalf("Handle: %v, want the report's error", err)
	}
}

func TestTargetOf(t *testing.T) {
	info := func(revision *cdtypes.RevisionLocation) *cdtypes.DeploymentInfo {
		return &cdtypes.DeploymentInfo{Revision: revision}
	}
	content := func(s string) *cdtypes.RevisionLocation {
		return &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeAppSpecContent, AppSpecContent: &cdtypes.AppSpecContent{Content: &s}}
	}
	yamlSpec := "version: 0.0\nResources:\n  - fn:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: f\n        Alias: live\n        CurrentVersion: \"1\"\n        TargetVersion: \"2\"\n"
	for _, tc := range []struct {
		name string
		info *cdtypes.DeploymentInfo
		want deployhook.Target
		err  error
	}{
		{"JSON", info(content(appSpec("f", "9"))), deployhook.Target{Name: "f", Alias: "live", Version: "9"}, nil},
		{"YAML", info(content(yamlSpec)), deployhook.Target{Name: "f", Alias: "live", Version: "2"}, nil},
		{"no revision", info(nil), deployhook.Target{}, deployhook.ErrNoTarget},
		{"no deployment", nil, deployhook.Target{}, deployhook.ErrNoTarget},
		{"not an AppSpec", info(content("{")), deployhook.Target{}, deployhook.ErrNoTarget},
		{"no target version", info(content(appSpec("f", ""))), deployhook.Target{}, deployhook.ErrNoTarget},
		{"two functions", info(content(`{"Resources":[{"a":{"Type":"AWS::Lambda::Function","Properties":{"Name":"a","TargetVersion":"1"}}},` +
			`{"b":{"Type":"AWS::Lambda::Function","Properties":{"Name":"b","TargetVersion":"1"}}}]}`)), deployhook.Target{}, deployhook.ErrNoTarget},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := deployhook.TargetOf(tc.info)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("TargetOf = %+v, %v; want %+v, %v", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestParseFunctions(t *testing.T) {
	got, err := deployhook.ParseFunctions("a=api, b=s3,c=schedule")
	if err != nil || len(got) != 3 || got["a"] != health.API || got["b"] != health.S3 || got["c"] != health.Schedule {
		t.Fatalf("ParseFunctions = %v, %v", got, err)
	}
	for _, bad := range []string{"", "a", "=api", "a=sqs", "a=api,a=s3", "a=api,"} {
		if _, err := deployhook.ParseFunctions(bad); err == nil {
			t.Errorf("ParseFunctions(%q) accepted it", bad)
		}
	}
}
