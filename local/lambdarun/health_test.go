package lambdarun

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/deployhook"
	"github.com/zmed/exam-manager/shared/health"
	"github.com/zmed/exam-manager/shared/samtemplate"
)

// trap is every endpoint a function could call: any request to it is a
// function touching data (or calling out) for the health event.
type trap struct {
	mu       sync.Mutex
	requests []string
}

func (tr *trap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tr.mu.Lock()
	tr.requests = append(tr.requests, r.Method+" "+r.URL.Path+" "+r.Header.Get("X-Amz-Target"))
	tr.mu.Unlock()
	w.WriteHeader(http.StatusInternalServerError)
}

func (tr *trap) take() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	got := tr.requests
	tr.requests = nil
	return got
}

// healthVersion is the version the emulated functions say they are.
const healthVersion = "7"

// TestEveryFunctionAnswersItsHealthEvent: every function of the template but
// the hook, its real binary under the emulator with its sample configuration,
// answers the health event of its kind (read from what invokes it) as the hook
// checks it, while DynamoDB, S3, SNS, SES, Lambda and the patient manager are
// all a trap that no request may reach.
func TestEveryFunctionAnswersItsHealthEvent(t *testing.T) {
	rie := rieBinary(t)
	root := samtemplate.Root()
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	folders := map[string]string{}
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		folders[samtemplate.LogicalID(e.Name())] = e.Name()
	}
	tr := &trap{}
	server := httptest.NewServer(tr)
	defer server.Close()
	binDir := t.TempDir()
	for _, id := range samtemplate.Deployed(tpl) {
		t.Run(id, func(t *testing.T) {
			kind, err := samtemplate.HealthKind(tpl, id)
			if err != nil {
				t.Fatal(err)
			}
			event, err := health.Event(kind)
			if err != nil {
				t.Fatal(err)
			}
			folder, ok := folders[id]
			if !ok {
				t.Fatalf("%s has no functions/ folder", id)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // against a hang only
			defer cancel()
			bin, err := Build(ctx, root, folder, binDir)
			if err != nil {
				t.Fatal(err)
			}
			env, err := Environment(root, folder, Endpoints{
				DynamoDB: server.URL, S3: server.URL, SNS: server.URL, SES: server.URL, PatientManager: server.URL, Lambda: server.URL,
			})
			if err != nil {
				t.Fatal(err)
			}
			env = append(env, "AWS_ENDPOINT_URL="+server.URL, "AWS_LAMBDA_FUNCTION_VERSION="+healthVersion)
			logs := &lockedBuffer{}
			answer, err := Run(ctx, rie, bin, env, event, logs)
			if err != nil {
				t.Fatalf("%v\n%s", err, logs.String())
			}
			if err := health.Check(kind, answer, healthVersion); err != nil {
				t.Errorf("%s's answer to the %s health event: %v\n%s\n%s", id, kind, err, answer, logs.String())
			}
			if calls := tr.take(); len(calls) > 0 {
				t.Errorf("%s called out for the health event: %q", id, calls)
			}
			var a health.Answer
			if kind != health.API && json.Unmarshal(answer, &a) == nil && a.Function != folder {
				t.Errorf("%s answered as function %q, want %q", id, a.Function, folder)
			}
		})
	}
}

// TestHookChecksTheRealFunctions: the hook's real binary, under the emulator,
// reads a deployment from a CodeDeploy double (its JSON protocol), invokes
// the version through a Lambda double (its REST protocol) that runs the real
// function's binary, and reports Succeeded; a function listed with another
// kind than its own answers wrongly, and the hook reports Failed.
func TestHookChecksTheRealFunctions(t *testing.T) {
	rie := rieBinary(t)
	root := samtemplate.Root()
	binDir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // against a hang only
	defer cancel()
	bins := map[string]string{}
	for _, folder := range []string{deployhook.Function, "console", "reconcile-results"} {
		bin, err := Build(ctx, root, folder, binDir)
		if err != nil {
			t.Fatal(err)
		}
		bins[folder] = bin
	}
	tr := &trap{}
	trapServer := httptest.NewServer(tr)
	defer trapServer.Close()
	logs := &lockedBuffer{}
	// Lambda: /2015-03-31/functions/<logical id, as events/env.json names them>/invocations?Qualifier=<version>.
	lambdaServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(r.URL.Path, "/")
		folder := map[string]string{"ConsoleFunction": "console", "ReconcileResultsFunction": "reconcile-results"}[parts[len(parts)-2]]
		event, _ := io.ReadAll(r.Body)
		env, err := Environment(root, folder, Endpoints{DynamoDB: trapServer.URL, S3: trapServer.URL, SNS: trapServer.URL, SES: trapServer.URL,
			PatientManager: trapServer.URL, Lambda: trapServer.URL})
		if folder == "" || err != nil {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		env = append(env, "AWS_LAMBDA_FUNCTION_VERSION="+r.URL.Query().Get("Qualifier"))
		answer, err := Run(r.Context(), rie, bins[folder], env, event, logs)
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		_, _ = w.Write(answer)
	}))
	defer lambdaServer.Close()

	for _, tc := range []struct{ function, listed, want string }{
		{"ConsoleFunction", "", "Succeeded"},
		{"ReconcileResultsFunction", "", "Succeeded"},
		// Sent an S3 event, the console answers a page or a 404, never the health answer.
		{"ConsoleFunction", "ConsoleFunction=s3", "Failed"},
	} {
		t.Run(tc.function+"/"+tc.want, func(t *testing.T) {
			var reported []string
			var mu sync.Mutex
			cd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var in map[string]string
				_ = json.NewDecoder(r.Body).Decode(&in)
				switch r.Header.Get("X-Amz-Target") {
				case "CodeDeploy_20141006.GetDeployment":
					spec := `{"version":0.0,"Resources":[{"f":{"Type":"AWS::Lambda::Function","Properties":{"Name":"` + tc.function +
						`","Alias":"live","CurrentVersion":"6","TargetVersion":"7"}}}]}`
					out, _ := json.Marshal(map[string]any{"deploymentInfo": map[string]any{"deploymentId": in["deploymentId"],
						"revision": map[string]any{"revisionType": "AppSpecContent", "appSpecContent": map[string]any{"content": spec}}}})
					_, _ = w.Write(out)
				case "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus":
					mu.Lock()
					reported = append(reported, in["status"])
					mu.Unlock()
					_, _ = w.Write([]byte(`{}`))
				default:
					w.WriteHeader(http.StatusBadRequest)
				}
			}))
			defer cd.Close()
			env, err := Environment(root, deployhook.Function, Endpoints{Lambda: lambdaServer.URL, CodeDeploy: cd.URL,
				DynamoDB: trapServer.URL, S3: trapServer.URL, SNS: trapServer.URL, SES: trapServer.URL, PatientManager: trapServer.URL})
			if err != nil {
				t.Fatal(err)
			}
			if tc.listed != "" {
				env = append(env, deployhook.FunctionsVar+"="+tc.listed) // exec keeps the last value
			}
			event, _ := os.ReadFile(filepath.Join(root, "events", deployhook.Function, "lifecycle.json"))
			if _, err := Run(ctx, rie, bins[deployhook.Function], env, event, logs); err != nil {
				t.Fatalf("%v\n%s", err, logs.String())
			}
			mu.Lock()
			defer mu.Unlock()
			if len(reported) != 1 || reported[0] != tc.want {
				t.Errorf("reported %v, want [%s]\n%s", reported, tc.want, logs.String())
			}
			if calls := tr.take(); len(calls) > 0 {
				t.Errorf("called out for the health event: %q", calls)
			}
		})
	}
}
