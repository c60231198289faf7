package samtemplate

import (
	"fmt"
	"slices"
	"sort"

	"github.com/zmed/exam-manager/shared/deployhook"
	"github.com/zmed/exam-manager/shared/health"
)

// HookFunction is the pre-traffic hook's resource; every other function is
// deployed through CodeDeploy and checked by it.
var HookFunction = LogicalID(deployhook.Function)

// Deployed are the functions deployed through CodeDeploy, sorted: all but the hook.
func Deployed(tpl Template) []string {
	var ids []string
	for id := range tpl.Resources("AWS::Serverless::Function") {
		if id != HookFunction {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// eventKinds are the kinds of the template's event sources that have a health event.
var eventKinds = map[string]health.Kind{"HttpApi": health.API, "Schedule": health.Schedule, "ScheduleV2": health.Schedule}

// permissionKinds are the kinds of the services a Lambda permission lets
// invoke a function without an event source in the template.
var permissionKinds = map[string]health.Kind{"s3.amazonaws.com": health.S3, "secretsmanager.amazonaws.com": health.Rotation}

// HealthKind is the kind of health event of the function id: that of what
// invokes it, read from its Events, or, without Events, from the permission
// that lets S3 or Secrets Manager invoke it. An error names the function whose invoker has no
// health event yet.
func HealthKind(tpl Template, id string) (health.Kind, error) {
	fn := tpl.Resources("AWS::Serverless::Function")[id]
	if fn == nil {
		return "", fmt.Errorf("template.yaml has no function %s", id)
	}
	evs, _ := Get(fn, "Properties", "Events").(map[string]any)
	var types []string
	kinds := map[health.Kind]bool{}
	for _, ev := range evs {
		typ := fmt.Sprint(Get(ev, "Type"))
		types = append(types, typ)
		if k, ok := eventKinds[typ]; ok {
			kinds[k] = true
		} else {
			kinds[""] = true
		}
	}
	for _, p := range tpl.Resources("AWS::Lambda::Permission") {
		principal := fmt.Sprint(Get(p, "Properties", "Principal"))
		k, ok := permissionKinds[principal]
		if ok && slices.Contains([]string{id, id + ".Alias"}, fmt.Sprint(Get(p, "Properties", "FunctionName", "Ref"))) {
			types = append(types, principal+" (permission)")
			kinds[k] = true
		}
	}
	sort.Strings(types)
	if len(kinds) != 1 || kinds[""] {
		return "", fmt.Errorf("%s has no health event for what invokes it (%v): add its kind to shared/health, "+
			"its recognition to the handler of that event, and the kind here (samtemplate.HealthKind)", id, types)
	}
	for k := range kinds {
		return k, nil
	}
	return "", nil
}
