package samtemplate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// canaryWindow is how long CodeDeploy keeps a deployment type's first step
// before shifting more traffic, in seconds; 0 for a type that does not wait.
var canaryType = regexp.MustCompile(`^(?:Canary\d+Percent(\d+)Minutes|Linear\d+PercentEvery(\d+)Minutes?)$`)

func canaryWindow(deploymentType string) int {
	m := canaryType.FindStringSubmatch(deploymentType)
	if m == nil {
		return 0
	}
	minutes, _ := strconv.Atoi(m[1] + m[2])
	return 60 * minutes
}

func TestCanaryWindow(t *testing.T) {
	for typ, want := range map[string]int{
		"Canary10Percent5Minutes": 300, "Canary10Percent30Minutes": 1800, "Linear10PercentEvery1Minute": 60,
		"Linear10PercentEvery10Minutes": 600, "AllAtOnce": 0,
	} {
		if got := canaryWindow(typ); got != want {
			t.Errorf("canaryWindow(%s) = %d, want %d", typ, got, want)
		}
	}
}

// TestCanaryAlarmsWatchTheNewVersion: in production each function's deployment
// is rolled back by alarms on its new version's own metrics (the whole
// function's would mix in the old version's calls, nine in ten during the
// canary), whose periods fire before the canary's window ends, and which say
// what no data means. On the translated template, the CodeDeploy group of
// each function holds those alarms and its alias the version they watch.
func TestCanaryAlarmsWatchTheNewVersion(t *testing.T) {
	tpl := load(t)
	alarms := tpl.Resources("AWS::CloudWatch::Alarm")
	alias := fmt.Sprint(Get(tpl, "Globals", "Function", "AutoPublishAlias"))
	gating := map[string]string{} // alarm → function
	// A pre-traffic hook is not deployed by CodeDeploy itself (it runs inside the others' deployments).
	hooks := map[string]bool{}
	for _, fn := range tpl.Resources("AWS::Serverless::Function") {
		if hook, ok := Get(functionProperty(tpl, fn, "DeploymentPreference", "Hooks", "PreTraffic"), "Ref").(string); ok {
			hooks[hook] = true
		}
	}
	for id, fn := range tpl.Resources("AWS::Serverless::Function") {
		if hooks[id] && fmt.Sprint(functionProperty(tpl, fn, "DeploymentPreference", "Enabled")) == "false" {
			continue
		}
		typ := functionProperty(tpl, fn, "DeploymentPreference", "Type")
		branches, _ := Get(typ, "Fn::If").([]any)
		if len(branches) != 3 || branches[0] != "IsProd" || branches[2] != "AllAtOnce" {
			t.Errorf("%s: deployment type %v, want a canary in prod and all at once elsewhere", id, typ)
			continue
		}
		window := canaryWindow(fmt.Sprint(branches[1]))
		if window == 0 {
			t.Errorf("%s: prod deploys by %v, not by canary or linear steps", id, branches[1])
		}
		prefAlarms := functionProperty(tpl, fn, "DeploymentPreference", "Alarms")
		cond, _ := Get(prefAlarms, "Fn::If").([]any)
		if len(cond) != 3 || cond[0] != "IsProd" || fmt.Sprint(cond[2]) != "[]" {
			t.Errorf("%s: rollback alarms %v, want alarms in prod only", id, prefAlarms)
			continue
		}
		refs, _ := cond[1].([]any)
		if len(refs) == 0 {
			t.Errorf("%s: no rollback alarm in prod", id)
		}
		for _, ref := range refs {
			name := fmt.Sprint(Get(ref, "Ref"))
			a := alarms[name]
			if a == nil {
				t.Errorf("%s: rollback alarm %v is not an alarm of the template", id, ref)
				continue
			}
			gating[name] = id
			p := Get(a, "Properties")
			dims := dimensionsOf(Get(p, "Dimensions"))
			want := map[string]string{
				"FunctionName":    "Ref " + id,
				"Resource":        fmt.Sprint(map[string]any{"Fn::Sub": "${" + id + "}:" + alias}),
				"ExecutedVersion": "GetAtt.Version.Version " + id, // SAM resolves Id.Version to the version it publishes
			}
			if Get(p, "Namespace") != "AWS/Lambda" || fmt.Sprint(dims) != fmt.Sprint(want) {
				t.Errorf("%s's rollback alarm %s watches %v %v, want AWS/Lambda with %v (the new version only)", id, name, Get(p, "Namespace"), dims, want)
			}
			period, _ := strconv.Atoi(fmt.Sprint(Get(p, "Period")))
			evaluations, _ := strconv.Atoi(fmt.Sprint(Get(p, "EvaluationPeriods")))
			if period != 60 {
				t.Errorf("%s: period %d s, want 60", name, period)
			}
			if period*evaluations == 0 || period*evaluations >= window {
				t.Errorf("%s: %d periods of %d s cannot fire within the canary's %d s", name, evaluations, period, window)
			}
			if m := Get(p, "TreatMissingData"); m == nil {
				t.Errorf("%s: no explicit TreatMissingData", name)
			}
		}
	}
	if len(gating) == 0 {
		t.Fatal("no rollback alarm")
	}

	// As deployed.
	out := loadTranslated(t)
	groups := out.Resources("AWS::CodeDeploy::DeploymentGroup")
	for aliasID, a := range out.Resources("AWS::Lambda::Alias") {
		fn := fmt.Sprint(Get(a, "Properties", "FunctionName", "Ref"))
		if hooks[fn] {
			continue
		}
		version := flat(Get(a, "Properties", "FunctionVersion"))
		groupID := fmt.Sprint(Get(a, "UpdatePolicy", "CodeDeployLambdaAliasUpdate", "DeploymentGroupName", "Ref"))
		group := groups[groupID]
		if group == nil {
			t.Errorf("%s (%s) is not shifted by a CodeDeploy group", aliasID, fn)
			continue
		}
		config, _ := Get(group, "Properties", "AlarmConfiguration", "Fn::If").([]any)
		if len(config) != 3 || config[0] != "IsProd" || Get(config[1], "Enabled") != "true" {
			t.Errorf("%s: alarm configuration %v, want enabled in prod", groupID, Get(group, "Properties", "AlarmConfiguration"))
			continue
		}
		named, _ := Get(config[1], "Alarms").([]any)
		if len(named) == 0 {
			t.Errorf("%s: no alarm", groupID)
		}
		for _, n := range named {
			alarm := fmt.Sprint(Get(n, "Name", "Ref"))
			if gating[alarm] != fn {
				t.Errorf("%s rolls %s back on %s, which is not %s's own", groupID, fn, alarm, fn)
			}
			var executed string
			for _, d := range Get(out, "Resources", alarm, "Properties", "Dimensions").([]any) {
				if Get(d, "Name") == "ExecutedVersion" {
					executed = flat(Get(d, "Value"))
				}
			}
			if !strings.HasPrefix(version, "Fn::GetAtt(") || executed != version {
				t.Errorf("%s watches version %s, but the alias %s moves to %s", alarm, executed, aliasID, version)
			}
		}
		if got := flat(Get(group, "Properties", "DeploymentConfigName")); !strings.Contains(got, "Canary10Percent5Minutes") {
			t.Errorf("%s: %s, want the canary in prod", groupID, got)
		}
	}
	if len(groups) == 0 {
		t.Error("no CodeDeploy deployment group in the translated template")
	}
}
