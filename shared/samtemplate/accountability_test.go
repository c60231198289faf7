package samtemplate

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/metrics"
)

// TestAccessLogNamesTheCaller (docs/security.md): the HTTP API's access log carries
// the caller's sub, the source IP, the request time and the authorizer's
// error, and nothing a client sent (no query string, no body, no header) nor
// any claim but the sub (a username or e-mail is personal data).
func TestAccessLogNamesTheCaller(t *testing.T) {
	tpl := load(t)
	format, _ := Get(tpl, "Resources", "HttpApi", "Properties", "AccessLogSettings", "Format").(string)
	var fields map[string]string
	if err := json.Unmarshal([]byte(format), &fields); err != nil {
		t.Fatalf("the access log format is not one JSON object of strings: %q", format)
	}
	used := map[string]bool{}
	variable := regexp.MustCompile(`\$[A-Za-z][A-Za-z0-9_.:-]*`)
	for name, value := range fields {
		vars := variable.FindAllString(value, -1)
		if len(vars) != 1 || vars[0] != value {
			t.Errorf("field %q is %q: want exactly one variable", name, value)
		}
		for _, v := range vars {
			used[v] = true
		}
	}
	for _, want := range []string{"$context.authorizer.claims.sub", "$context.identity.sourceIp", "$context.requestTime", "$context.authorizer.error"} {
		if !used[want] {
			t.Errorf("the access log lacks %s", want)
		}
	}
	// Only what identifies the call and its outcome.
	allowed := map[string]bool{
		"$context.requestId": true, "$context.requestTime": true, "$context.requestTimeEpoch": true,
		"$context.identity.sourceIp": true, "$context.authorizer.claims.sub": true, "$context.routeKey": true,
		"$context.status": true, "$context.responseLatency": true, "$context.authorizer.error": true,
		"$context.integrationErrorMessage": true, "$context.httpMethod": true, "$context.protocol": true,
		"$context.responseLength": true,
	}
	for v := range used {
		if !allowed[v] {
			t.Errorf("the access log carries %s: only ids, times, the sub and outcomes may be logged", v)
		}
	}
}

// TestAuditLinesKeptFiveYearsInProd (docs/security.md): the audit lines live in the
// functions' log groups, and who called from where in the access log; in
// prod each of these keeps its lines at least 1,827 days.
func TestAuditLinesKeptFiveYearsInProd(t *testing.T) {
	tpl := load(t)
	groups := tpl.Resources("AWS::Logs::LogGroup")
	audited := []string{"HttpApiAccessLogs"}
	for id, fn := range tpl.Resources("AWS::Serverless::Function") {
		ref, _ := Get(fn, "Properties", "LoggingConfig", "LogGroup").(map[string]any)
		if ref == nil {
			t.Fatalf("%s logs to no declared group", id)
		}
		audited = append(audited, fmt.Sprint(ref["Ref"]))
	}
	for _, id := range audited {
		retention := Get(groups[id], "Properties", "RetentionInDays")
		cond, _ := retention.(map[string]any)["Fn::If"].([]any)
		if len(cond) != 3 || cond[0] != "IsProd" {
			t.Errorf("%s: retention %v, want !If [IsProd, ≥ 1827, …]", id, retention)
			continue
		}
		var days int
		if _, err := fmt.Sscan(strings.TrimSpace(fmt.Sprint(cond[1])), &days); err != nil || days < 1827 {
			t.Errorf("%s keeps prod's lines %v days, want at least 1827", id, cond[1])
		}
	}
}

// TestCallsWithoutClaimsRaiseTheAlarm (docs/security.md): a call refused for want of
// the authorizer's claims is counted (apigw emits metrics.ApiCallsWithoutClaims
// in its log line, as EMF), and an alarm that tells someone watches the count.
func TestCallsWithoutClaimsRaiseTheAlarm(t *testing.T) {
	tpl := load(t)
	for id, a := range tpl.Resources("AWS::CloudWatch::Alarm") {
		p := Get(a, "Properties")
		if Get(p, "MetricName") == string(metrics.ApiCallsWithoutClaims) && Get(p, "Namespace") == metrics.Namespace {
			if actions, _ := Get(p, "AlarmActions").([]any); len(actions) == 0 {
				t.Errorf("%s tells nobody", id)
			}
			return
		}
	}
	t.Errorf("no alarm on %s", metrics.ApiCallsWithoutClaims)
}
