package samtemplate

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// samconfigOverrides returns each samconfig.toml environment's deploy
// parameter_overrides, by parameter. SAM CLI splits the string like a shell;
// the file quotes nothing inside it, which this reader requires.
func samconfigOverrides(t *testing.T) map[string]map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(Root(), "samconfig.toml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	env := ""
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			env, _ = strings.CutSuffix(strings.Trim(line, "[]"), ".deploy.parameters")
			if strings.Contains(env, ".") {
				env = ""
			}
			continue
		}
		value, ok := strings.CutPrefix(line, "parameter_overrides = ")
		if !ok || env == "" {
			continue
		}
		out[env] = map[string]string{}
		for _, pair := range strings.Fields(strings.Trim(value, `"`)) {
			k, v, ok := strings.Cut(pair, "=")
			if !ok || strings.ContainsAny(v, `"'`) {
				t.Fatalf("samconfig.toml %s: %q is not KEY=VALUE", env, pair)
			}
			out[env][k] = v
		}
	}
	return out
}

// parameterValues are, per parameter, values its constraints accept and
// values they refuse.
var parameterValues = []struct {
	param string
	good  []string
	bad   []string
}{
	{"ReconcileSchedule",
		[]string{"rate(1 minute)", "rate(2 minutes)", "rate(5 minutes)"},
		// A slower schedule would raise the oldest-result alarm, which takes a silent reconciler for a stopped one.
		[]string{"rate(1 minutes)", "rate(0 minutes)", "rate(0 minute)", "rate(5 minute)", "rate(05 minutes)", "rate(6 minutes)",
			"rate(10 minutes)", "rate(1 hour)", "rate(2 hours)", "cron(bad)", "cron(0/5 * * * ? *)", "rate(5 minutes) ", ""}},
	{"ApiThrottlingRateLimit", []string{"1", "50", "10000"}, []string{"0", "-1", "0.5", "10001", "fast"}},
	{"ApiThrottlingBurstLimit", []string{"1", "100", "5000"}, []string{"0", "-5", "5001"}},
	{"ProcessResultConcurrency", []string{"1", "10", "100"}, []string{"0", "101"}},
	{"ReconcilerConcurrency", []string{"1", "2"}, []string{"0", "3"}},
	{"SmsMonthlySpendAlarmUsd", []string{"1", "50", "10000"}, []string{"0", "-1", "0.5"}},
	{"Stage", []string{"dev", "prod", "hml2"}, []string{"Prod", "p", "prod-1", "prod_1", "1prod", "production1", " prod", ""}},
	{"Production", []string{"true", "false"}, []string{"prod", "yes", "True", "1", ""}},
	{"ReserveConcurrency", []string{"true", "false"}, []string{"on", "yes", ""}},
	{"DeletionProtection", []string{"true", "false"}, []string{"ACTIVE", "on", ""}},
	{"CreateAccountAlarms", []string{"true", "false"}, []string{"yes", "dev", ""}},
	{"CreateDataEventsTrail", []string{"true", "false"}, []string{"yes", "organisation", ""}},
	{"FiledResultsTierAfterDays", []string{"1", "90", "3650"}, []string{"0", "-1", "3651", "soon"}},
	{"ExamTokenTtlDays", []string{"1", "180", "365"}, []string{"0", "-1", "0.5", "366", "4320h"}},
	{"TokenKeyRotationDays", []string{"367", "400", "1000"}, []string{"0", "30", "180", "365", "366", "1001"}},
}

// TestParametersRefuseBadValues: CloudFormation checks a parameter against its
// constraints before it creates anything, so a bad value fails the deploy at
// once instead of a resource half-way (EventBridge refuses "rate(1 minutes)"
// only when the rule is created) or a stack that runs wrong.
func TestParametersRefuseBadValues(t *testing.T) {
	tpl := load(t)
	for _, tc := range parameterValues {
		for _, v := range tc.good {
			if err := tpl.CheckParameter(tc.param, v); err != nil {
				t.Errorf("refused a good value: %v", err)
			}
		}
		for _, v := range tc.bad {
			if tpl.CheckParameter(tc.param, v) == nil {
				t.Errorf("%s=%q is accepted", tc.param, v)
			}
		}
	}
	// Every default passes its own parameter's constraints.
	params, _ := tpl["Parameters"].(map[string]any)
	for name, p := range params {
		if def, ok := Get(p, "Default").(string); ok {
			if err := tpl.CheckParameter(name, def); err != nil {
				t.Errorf("the default is refused: %v", err)
			}
		}
	}
}

//go:embed paramlint.py
var paramLint string

// TestCfnLintRefusesTheSameValues: the constraints mean to cfn-lint (which
// reads a pattern as Java does, like CloudFormation) what they mean above.
// cfn-lint compares only integers with a Number's bounds: the other values
// are left to the check above.
func TestCfnLintRefusesTheSameValues(t *testing.T) {
	python := venvPython(t, "cfn-lint")
	tpl := load(t)
	var pairs [][2]string
	refused := map[[2]string]bool{}
	for _, tc := range parameterValues {
		for _, v := range tc.good {
			pairs = append(pairs, [2]string{tc.param, v})
		}
		for _, v := range tc.bad {
			if _, err := strconv.Atoi(v); Get(tpl, "Parameters", tc.param, "Type") == "Number" && err != nil {
				continue
			}
			pairs = append(pairs, [2]string{tc.param, v})
			refused[[2]string{tc.param, v}] = true
		}
	}
	in, err := json.Marshal(pairs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", paramLint, filepath.Join(Root(), "template.yaml"))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cfn-lint: %v", &scriptError{err, stderrOf(err)})
	}
	var errs [][]string
	if err := json.Unmarshal(out, &errs); err != nil || len(errs) != len(pairs) {
		t.Fatalf("cfn-lint answered %s (%v)", out, err)
	}
	for i, p := range pairs {
		if refused[p] && len(errs[i]) == 0 {
			t.Errorf("cfn-lint accepts %s=%q", p[0], p[1])
		}
		if !refused[p] && len(errs[i]) > 0 {
			t.Errorf("cfn-lint refuses %s=%q: %v", p[0], p[1], errs[i])
		}
	}
}

// TestProdDeployNamesEveryMissingParameter: `sam deploy --config-env prod`
// gives only what is the same for every clinic; the clinic's own values have
// no default anywhere, so CloudFormation refuses the stack before creating
// anything, naming each of them ("Parameters: [...] must have values").
func TestProdDeployNamesEveryMissingParameter(t *testing.T) {
	tpl := load(t)
	envs := samconfigOverrides(t)
	params, _ := tpl["Parameters"].(map[string]any)
	for _, env := range []string{"default", "dev", "prod"} {
		overrides, ok := envs[env]
		if !ok {
			t.Errorf("samconfig.toml has no %s deploy parameters", env)
			continue
		}
		for k, v := range overrides {
			if err := tpl.CheckParameter(k, v); err != nil {
				t.Errorf("samconfig.toml %s: %v", env, err)
			}
		}
		var missing []string
		for name := range params {
			if _, given := overrides[name]; !given && Get(params[name], "Default") == nil {
				missing = append(missing, name)
			}
		}
		sort.Strings(missing)
		want := []string{}
		if env == "prod" {
			want = []string{"AlarmEmail", "AttendantsAppOrigin", "EmailSender", "EmailSenderIdentity", "PatientManagerHost"}
		}
		if !slices.Equal(missing, want) && !(len(missing) == 0 && len(want) == 0) {
			t.Errorf("samconfig.toml %s leaves %v without a value, want %v", env, missing, want)
		}
	}
}

// TestProductionIsAnExplicitSwitch: what differs in production (canary
// deployments, log retention) follows a parameter that says so, never the
// stage's name.
func TestProductionIsAnExplicitSwitch(t *testing.T) {
	tpl := load(t)
	if got := fmt.Sprint(Get(tpl, "Conditions", "IsProd")); got != "map[Fn::Equals:[map[Ref:Production] true]]" {
		t.Errorf("IsProd is %s, want Production = true", got)
	}
	if got := fmt.Sprint(Get(tpl, "Conditions")); strings.Contains(got, "Ref:Stage") {
		t.Errorf("a condition reads the stage's name: %s", got)
	}
	if Get(tpl, "Parameters", "Production", "Default") != "false" {
		t.Error("Production must default to false")
	}
	envs := samconfigOverrides(t)
	if envs["prod"]["Production"] != "true" || envs["dev"]["Production"] == "true" || envs["default"]["Production"] == "true" {
		t.Errorf("samconfig.toml: Production is %q in prod, %q in dev, %q by default; want true in prod only",
			envs["prod"]["Production"], envs["dev"]["Production"], envs["default"]["Production"])
	}
}

// TestReservedConcurrencyIsOffByDefault: a new account's concurrency quota is
// 10 and Lambda keeps units unreserved, so any reservation fails its first
// deploy; reserving is a switch, and each function's units a parameter.
func TestReservedConcurrencyIsOffByDefault(t *testing.T) {
	tpl := load(t)
	if got := fmt.Sprint(Get(tpl, "Conditions", "ReservesConcurrency")); got != "map[Fn::Equals:[map[Ref:ReserveConcurrency] true]]" {
		t.Errorf("ReservesConcurrency is %s, want ReserveConcurrency = true", got)
	}
	if Get(tpl, "Parameters", "ReserveConcurrency", "Default") != "false" {
		t.Error("ReserveConcurrency must default to false")
	}
	for env, overrides := range samconfigOverrides(t) {
		if overrides["ReserveConcurrency"] == "true" {
			t.Errorf("samconfig.toml %s reserves concurrency: a new account cannot", env)
		}
	}
	fns := tpl.Resources("AWS::Serverless::Function")
	for id, fn := range fns {
		got := fmt.Sprint(Get(fn, "Properties", "ReservedConcurrentExecutions"))
		param := map[string]string{"ProcessResultFunction": "ProcessResultConcurrency", "ReconcileResultsFunction": "ReconcilerConcurrency"}[id]
		want := "<nil>"
		if param != "" {
			want = "map[Fn::If:[ReservesConcurrency map[Ref:" + param + "] map[Ref:AWS::NoValue]]]"
			if Get(tpl, "Parameters", param, "Type") != "Number" || Get(tpl, "Parameters", param, "Default") == nil {
				t.Errorf("parameter %s must be a Number with a default", param)
			}
		}
		if got != want {
			t.Errorf("%s's reserved concurrency is %s, want %s", id, got, want)
		}
	}
	if fns["ProcessResultFunction"] == nil || fns["ReconcileResultsFunction"] == nil {
		t.Error("no process-result or reconciler function")
	}
}

// TestSmsSpendAlarm: the account's SMS spend (all stages' together, and
// whatever else of the account sends SMS) has one alarm, created by the
// stage whose CreateAccountAlarms says so, at a parameter's value in USD.
func TestSmsSpendAlarm(t *testing.T) {
	tpl := load(t)
	a := tpl.Resources("AWS::CloudWatch::Alarm")["SmsMonthToDateSpendAlarm"]
	if a == nil {
		t.Fatal("no SmsMonthToDateSpendAlarm")
	}
	if a["Condition"] != "CreatesAccountAlarms" {
		t.Errorf("SmsMonthToDateSpendAlarm's condition is %v, want CreatesAccountAlarms", a["Condition"])
	}
	if got := fmt.Sprint(Get(tpl, "Conditions", "CreatesAccountAlarms")); got != "map[Fn::Equals:[map[Ref:CreateAccountAlarms] true]]" {
		t.Errorf("CreatesAccountAlarms is %s, want CreateAccountAlarms = true", got)
	}
	p := Get(a, "Properties")
	for key, want := range map[string]string{
		"Namespace": "AWS/SNS", "MetricName": "SMSMonthToDateSpentUSD", "Statistic": "Maximum",
		"Threshold": "map[Ref:SmsMonthlySpendAlarmUsd]", "ComparisonOperator": "GreaterThanOrEqualToThreshold", "Dimensions": "<nil>",
	} {
		if got := fmt.Sprint(Get(p, key)); got != want {
			t.Errorf("SmsMonthToDateSpendAlarm's %s is %s, want %s", key, got, want)
		}
	}
	if Get(tpl, "Parameters", "SmsMonthlySpendAlarmUsd", "Type") != "Number" {
		t.Error("SmsMonthlySpendAlarmUsd must be a Number")
	}
	// One stage creates the account's alarms: a second would fail on nothing but double the e-mails.
	creators := 0
	for _, env := range []string{"dev", "prod"} {
		if samconfigOverrides(t)[env]["CreateAccountAlarms"] == "true" {
			creators++
		}
	}
	if creators != 1 {
		t.Errorf("%d of samconfig.toml's dev and prod create the account's alarms, want 1", creators)
	}
}

// TestRetainedResourcesGoWhenTheirFirstCreateRollsBack: data outlives the
// stack, yet a first create that rolls back deletes what it made, so that
// its retry does not fail on names already taken.
func TestRetainedResourcesGoWhenTheirFirstCreateRollsBack(t *testing.T) {
	tpl := load(t)
	resources, _ := tpl["Resources"].(map[string]any)
	for id, r := range resources {
		deletion, replace := Get(r, "DeletionPolicy"), Get(r, "UpdateReplacePolicy")
		if deletion == nil && replace == nil {
			continue
		}
		if deletion != "RetainExceptOnCreate" || replace != "Retain" {
			t.Errorf("%s: DeletionPolicy %v, UpdateReplacePolicy %v; want RetainExceptOnCreate and Retain", id, deletion, replace)
		}
	}
	// A protected table or user pool cannot be deleted, by a rollback either:
	// protection is a switch, off for a first create.
	if got := fmt.Sprint(Get(tpl, "Conditions", "ProtectsData")); got != "map[Fn::Equals:[map[Ref:DeletionProtection] true]]" {
		t.Errorf("ProtectsData is %s, want DeletionProtection = true", got)
	}
	if Get(tpl, "Parameters", "DeletionProtection", "Default") != "false" {
		t.Error("DeletionProtection must default to false (a first create)")
	}
}

// TestFirstCreateCanBeRetried creates the stack in moto and deletes it as a
// rolled-back first create would, then creates it again: with deletion
// protection off (the first create's) nothing is left behind and the retry
// completes; with it on, the table stays and the retry fails, which is why a
// first create must have it off.
func TestFirstCreateCanBeRetried(t *testing.T) {
	python := venvPython(t, "moto_server")
	for _, tc := range []struct {
		protection string
		left       bool
	}{{"false", false}, {"true", true}} {
		var got struct {
			First, Rollback, Retry string
			Left                   []string
		}
		runMoto(t, python, &got, "--retry", "dev", "DeletionProtection="+tc.protection)
		if got.First != "CREATE_COMPLETE" {
			t.Errorf("DeletionProtection=%s: the first create ended %s", tc.protection, got.First)
		}
		if !tc.left && (len(got.Left) > 0 || got.Retry != "CREATE_COMPLETE") {
			t.Errorf("DeletionProtection=%s: the rollback left %v (%s); the retry ended %s", tc.protection, got.Left, got.Rollback, got.Retry)
		}
		if tc.left && (!slices.Contains(got.Left, "zmed_exam_table_dev") || got.Retry == "CREATE_COMPLETE") {
			t.Errorf("DeletionProtection=%s: the rollback left %v and the retry ended %s; want the protected table left and the retry refused", tc.protection, got.Left, got.Retry)
		}
	}
}

// TestMissingParametersAreRefusedBeforeAnythingIsCreated: prod's samconfig
// values alone are refused at validation, with no stack and no resource.
func TestMissingParametersAreRefusedBeforeAnythingIsCreated(t *testing.T) {
	python := venvPython(t, "moto_server")
	var args []string
	for k, v := range samconfigOverrides(t)["prod"] {
		args = append(args, k+"="+v)
	}
	sort.Strings(args)
	var got struct {
		Status         string
		Stacks, Tables []string
	}
	runMoto(t, python, &got, append([]string{"--only"}, args...)...)
	if !strings.HasPrefix(got.Status, "refused: ") || !strings.Contains(got.Status, "parameter") {
		t.Errorf("prod's samconfig values alone: %s, want a refusal naming a missing parameter", got.Status)
	}
	if len(got.Stacks)+len(got.Tables) > 0 {
		t.Errorf("the refused create left stacks %v and tables %v", got.Stacks, got.Tables)
	}
}

// runMoto runs motostacks.py on the template with args and decodes its JSON into v.
func runMoto(t *testing.T, python string, v any, args ...string) {
	t.Helper()
	cmd := exec.Command(python, append([]string{"-c", motoStacks, filepath.Join(Root(), "template.yaml")}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("moto %v: %v", args, &scriptError{err, stderrOf(err)})
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("moto %v: %v\n%s", args, err, out)
	}
}

// stderrOf is what a failed command wrote to its standard error.
func stderrOf(err error) []byte {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.Stderr
	}
	return nil
}
