package samtemplate

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/audit"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// TestEveryRouteIsComplete: each route of the endpoint table (httpapi.Endpoints)
// has every piece a route needs besides its row, and the test names each one
// a route lacks: its function's main and test, the template function and its
// HttpApi event, the build target, a sample event, an audit action of its own
// (or shared with its function's other rows, which read the same data; or
// audit.None, and then no audit line), its operation in docs/openapi.yaml and its section in docs/api.md. The rest
// is derived from the row: the bench measures the route by replaying its
// sample event (local/bench's TestEveryRouteIsMeasured names a route whose
// event does not replay), and an error code new to the API needs a console
// message (shared/console's TestEveryErrorCodeHasAMessage names it).
func TestEveryRouteIsComplete(t *testing.T) {
	root := Root()
	tpl, err := Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	openAPI := loadOpenAPI(t).operations()
	apiDoc, err := os.ReadFile(filepath.Join(root, "docs", "api.md"))
	if err != nil {
		t.Fatal(err)
	}
	// The automatic path's action is taken. An action names one route, or
	// the rows of one function that read the same data (actionOf).
	actions := map[audit.Action]string{audit.ResultProcess: "the automatic path"}
	actionOf := map[audit.Action]string{}
	for _, e := range httpapi.Endpoints() {
		var missing []string
		lacks := func(format string, args ...any) { missing = append(missing, fmt.Sprintf(format, args...)) }
		fn, id := e.Function, LogicalID(e.Function)

		if _, err := os.Stat(filepath.Join(root, "functions", fn, "main.go")); err != nil {
			lacks("its Lambda's main (functions/%s/main.go)", fn)
		}
		if test, _ := os.ReadFile(filepath.Join(root, "functions", fn, "main_test.go")); !strings.Contains(string(test), `samtemplate.CheckFunction(t, "`+fn+`"`) {
			lacks("its function's test (functions/%s/main_test.go calling samtemplate.CheckFunction)", fn)
		}
		if !routedTo(tpl, id, e.Route) {
			lacks("the template function %s with an HttpApi event for %s (template.yaml)", id, e.Route)
		}
		if out, err := exec.Command("make", "-s", "-n", "-C", root, "build-"+id, "ARTIFACTS_DIR=/artifacts").CombinedOutput(); err != nil ||
			!strings.Contains(string(out), "./functions/"+fn+"\n") {
			lacks("the build target make build-%s (made from the functions/%s folder)", id, fn)
		}
		if _, _, err := RouteEvent(root, fn, e.Route); err != nil {
			lacks("a sample event events/%s/*.json with routeKey %q (sam local invoke, the event tests and the bench's calls-per-operation report replay it)", fn, e.Route.String())
		}
		if e.Handle == nil {
			lacks("its handler (Handle in its row of shared/httpapi/endpoints.go)")
		}
		switch written, lines := auditAction(t, e); {
		case e.Action == "":
			lacks("an audit action (Action in its row of shared/httpapi/endpoints.go)")
		case e.Action == audit.None && lines != 0 && e.Handle != nil:
			lacks("no audit line, as its action audit.None says (its handler writes %d)", lines)
		case e.Action == audit.None:
		case actions[e.Action] != "" && actionOf[e.Action] != fn:
			lacks("an audit action of its own (%s is also %s's)", e.Action, actions[e.Action])
		case written != string(e.Action) && e.Handle != nil:
			lacks("an audit line naming its action %s (its handler writes %q)", e.Action, written)
		default:
			actions[e.Action], actionOf[e.Action] = e.Route.String(), fn
		}
		if !openAPI[e.Route] {
			lacks("its operation in docs/openapi.yaml (%s under paths)", e.Route)
		}
		if !documented(string(apiDoc), e) {
			action := "its audit action"
			if e.Action != "" {
				action = "`" + string(e.Action) + "`"
			}
			lacks("its section in docs/api.md (a row of the routes table naming `%s`, %s and %s; a heading \"### …: `%s`\")", e.Route, fn, action, e.Route)
		}
		if len(missing) > 0 {
			t.Errorf("route %s (functions/%s) lacks:\n  - %s", e.Route, fn, strings.Join(missing, "\n  - "))
		}
	}
}

// routedTo reports whether the template's function id has an HttpApi event for route.
func routedTo(tpl Template, id string, route apigw.Route) bool {
	fn := tpl.Resources("AWS::Serverless::Function")[id]
	evs, _ := Get(fn, "Properties", "Events").(map[string]any)
	for _, ev := range evs {
		if Get(ev, "Type") == "HttpApi" && Get(ev, "Properties", "Method") == route.Method && Get(ev, "Properties", "Path") == route.Path {
			return true
		}
	}
	return false
}

// documented reports whether docs/api.md (doc) has e's row in its routes
// table, naming its function and audit action, and a section of its own.
func documented(doc string, e httpapi.Endpoint) bool {
	route := "`" + e.Route.String() + "`"
	row := regexp.MustCompile(`(?m)^\| ` + regexp.QuoteMeta(route) + ` \| ` + regexp.QuoteMeta(e.Function) + ` \|.*` + regexp.QuoteMeta("`"+string(e.Action)+"`"))
	section := regexp.MustCompile(`(?m)^### .*` + regexp.QuoteMeta(route))
	return row.MatchString(doc) && section.MatchString(doc)
}

// auditAction is the action of the audit line e's handler writes for a call
// of a method its route does not serve (answered before any port is used),
// and how many audit lines it writes.
func auditAction(t *testing.T, e httpapi.Endpoint) (action string, lines int) {
	if e.Handle == nil {
		return "", 0
	}
	logs := logtest.Capture(t)
	wrong := "PATCH " + e.Route.Path
	if _, err := e.Handler(httpapi.Ports{})(context.Background(), events.APIGatewayV2HTTPRequest{RouteKey: wrong}); err != nil {
		t.Fatalf("%s: %v", e.Route, err)
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		var l struct {
			Audit  bool   `json:"audit"`
			Action string `json:"action"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Audit {
			if lines == 0 {
				action = l.Action
			}
			lines++
		}
	}
	return action, lines
}
