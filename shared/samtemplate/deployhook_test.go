package samtemplate

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/deployhook"
)

// TestEveryDeploymentRunsThePreTrafficHook: every function's deployment
// preference names the hook before traffic shifts; the hook's own is off.
func TestEveryDeploymentRunsThePreTrafficHook(t *testing.T) {
	tpl := load(t)
	global := Get(tpl, "Globals", "Function", "DeploymentPreference")
	hookRef := fmt.Sprint(map[string]any{"Ref": HookFunction})
	for _, id := range Deployed(tpl) {
		pref := Get(tpl.Resources("AWS::Serverless::Function")[id], "Properties", "DeploymentPreference")
		hooks := Get(pref, "Hooks")
		if hooks == nil {
			hooks = Get(global, "Hooks")
		}
		if got := fmt.Sprint(Get(hooks, "PreTraffic")); got != hookRef {
			t.Errorf("%s: pre-traffic hook %s, want %s", id, got, hookRef)
		}
		if Get(pref, "Enabled") != nil {
			t.Errorf("%s: its deployment preference sets Enabled", id)
		}
	}
	hook := tpl.Resources("AWS::Serverless::Function")[HookFunction]
	if hook == nil {
		t.Fatalf("no %s", HookFunction)
	}
	if got := Get(hook, "Properties", "DeploymentPreference", "Enabled"); got != "false" {
		t.Errorf("the hook's deployment preference: Enabled %v, want false (it would gate its own update)", got)
	}
}

// TestTheHookIsNamedForCodeDeploysRole: the role SAM makes for CodeDeploy
// (AWSCodeDeployRoleForLambda) may invoke only functions named CodeDeployHook_*.
func TestTheHookIsNamedForCodeDeploysRole(t *testing.T) {
	name := fmt.Sprint(Get(load(t).Resources("AWS::Serverless::Function")[HookFunction], "Properties", "FunctionName", "Fn::Sub"))
	if !strings.HasPrefix(name, "CodeDeployHook_") || !strings.Contains(name, "${Stage}") || len(name) > 64 {
		t.Errorf("the hook is named %q: it must start with CodeDeployHook_ and carry the stage", name)
	}
}

// TestTheHookMayOnlyCheckAndReport: it invokes the versions of the deployed
// functions and reports on this stack's deployments; nothing else.
func TestTheHookMayOnlyCheckAndReport(t *testing.T) {
	tpl := load(t)
	hook := tpl.Resources("AWS::Serverless::Function")[HookFunction]
	policies, _ := Get(hook, "Properties", "Policies").([]any)
	if len(policies) != 1 {
		t.Fatalf("the hook has %d policies, want one statement list", len(policies))
	}
	statements, _ := Get(policies[0], "Statement").([]any)
	var want []string
	for _, id := range Deployed(tpl) {
		want = append(want, "${"+id+".Arn}:*")
	}
	found := map[string][]string{}
	for _, s := range statements {
		if Get(s, "Effect") != "Allow" || Get(s, "Condition") != nil {
			t.Errorf("unexpected statement %v", s)
		}
		actions := fmt.Sprint(Get(s, "Action"))
		resources, ok := Get(s, "Resource").([]any)
		if !ok {
			resources = []any{Get(s, "Resource")}
		}
		for _, r := range resources {
			found[actions] = append(found[actions], fmt.Sprint(Get(r, "Fn::Sub")))
		}
	}
	invoked := found["[lambda:InvokeFunction]"]
	sort.Strings(invoked)
	if !slices.Equal(invoked, want) {
		t.Errorf("the hook may invoke %v, want every deployed function's versions %v", invoked, want)
	}
	deployments := "arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:deploymentgroup:${ServerlessDeploymentApplication}/*"
	if got := found["[codedeploy:GetDeployment codedeploy:PutLifecycleEventHookExecutionStatus]"]; !slices.Equal(got, []string{deployments}) {
		t.Errorf("the hook may read and report deployments on %v, want %s", got, deployments)
	}
	if len(found) != 2 {
		t.Errorf("the hook may do %d kinds of thing, want 2: %v", len(found), found)
	}
}

// TestTheHookKnowsEveryFunctionsKind: ZMED_HOOK_FUNCTIONS names every deployed
// function with the kind of its health event, read from what invokes it.
func TestTheHookKnowsEveryFunctionsKind(t *testing.T) {
	tpl := load(t)
	value := strings.TrimSpace(fmt.Sprint(Get(tpl.Environment(HookFunction)[deployhook.FunctionsVar], "Fn::Sub")))
	listed, err := deployhook.ParseFunctions(value)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range Deployed(tpl) {
		kind, err := HealthKind(tpl, id)
		if err != nil {
			t.Error(err)
			continue
		}
		name := "${" + id + "}"
		if listed[name] != kind {
			t.Errorf("%s: %s lists it as %q, want %s=%s", id, deployhook.FunctionsVar, listed[name], name, kind)
		}
		delete(listed, name)
	}
	for name := range listed {
		t.Errorf("%s lists %s, no deployed function", deployhook.FunctionsVar, name)
	}
}

// TestTranslatedAliasesRunTheHook: in the translated template, each deployed
// function's alias update runs the hook before traffic shifts, and CodeDeploy's
// role is the one that may invoke CodeDeployHook_ functions; the hook's own
// alias is updated by CloudFormation alone.
func TestTranslatedAliasesRunTheHook(t *testing.T) {
	python := venvPython(t, "sam")
	out := filepath.Join(t.TempDir(), "translated.json")
	cmd := exec.Command(python, filepath.Join(Root(), ".ci", "sam_translate.py"), filepath.Join(Root(), "template.yaml"), out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sam_translate.py: %v\n%s", err, msg)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var tpl Template
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	aliases := tpl.Resources("AWS::Lambda::Alias")
	for _, id := range Deployed(load(t)) {
		alias := aliases[id+"Aliaslive"]
		if got := fmt.Sprint(Get(alias, "UpdatePolicy", "CodeDeployLambdaAliasUpdate", "BeforeAllowTrafficHook")); got != fmt.Sprint(map[string]any{"Ref": HookFunction}) {
			t.Errorf("%sAliaslive: BeforeAllowTrafficHook %s", id, got)
		}
	}
	if hookAlias := aliases[HookFunction+"Aliaslive"]; hookAlias == nil || Get(hookAlias, "UpdatePolicy") != nil {
		t.Errorf("the hook's alias %v: want one, without a CodeDeploy update", hookAlias)
	}
	if tpl.Resources("AWS::CodeDeploy::DeploymentGroup")[HookFunction+"DeploymentGroup"] != nil {
		t.Error("the hook has a deployment group")
	}
	role := fmt.Sprint(Get(tpl, "Resources", "CodeDeployServiceRole", "Properties", "ManagedPolicyArns"))
	if !strings.Contains(role, "service-role/AWSCodeDeployRoleForLambda") {
		t.Errorf("CodeDeploy's role has %s, want AWSCodeDeployRoleForLambda (it invokes CodeDeployHook_*)", role)
	}
}
