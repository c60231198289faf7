package samtemplate

import (
	"fmt"
	"strings"
	"testing"
)

// waiting is the folder of results not yet filed: processing deletes the exact
// version it filed, so every version left there, current or not, is one.
const waiting = "completed/"

// expires: the rule deletes objects or versions (a transition, an aborted
// upload or a removed expired delete marker deletes nothing that was stored).
func expires(rule any) bool {
	for _, key := range []string{"ExpirationInDays", "ExpirationDate", "NoncurrentVersionExpiration", "NoncurrentVersionExpirationInDays"} {
		if Get(rule, key) != nil {
			return true
		}
	}
	return false
}

// mayMatch: the rule's filter may select a key under folder. Only a plain
// prefix that neither contains nor lies inside folder proves it cannot (tags
// and sizes select keys anywhere; an intrinsic's value is unknown here).
func mayMatch(rule any, folder string) bool {
	prefix, ok := Get(rule, "Prefix").(string)
	if Get(rule, "Prefix") == nil {
		prefix, ok = "", true
	}
	if f := Get(rule, "Filter"); f != nil {
		return true
	}
	if !ok {
		return true
	}
	return strings.HasPrefix(folder, prefix) || strings.HasPrefix(prefix, folder)
}

func TestMayMatch(t *testing.T) {
	for _, tc := range []struct {
		rule map[string]any
		want bool
	}{
		{map[string]any{}, true},
		{map[string]any{"Prefix": ""}, true},
		{map[string]any{"Prefix": "c"}, true},
		{map[string]any{"Prefix": "completed"}, true},
		{map[string]any{"Prefix": "completed/"}, true},
		{map[string]any{"Prefix": "completed/2026/"}, true},
		{map[string]any{"Prefix": map[string]any{"Ref": "SomePrefix"}}, true},
		{map[string]any{"Prefix": "processed/", "Filter": map[string]any{}}, true},
		{map[string]any{"Prefix": "processed/"}, false},
		{map[string]any{"Prefix": "completed-old/"}, false},
		{map[string]any{"Prefix": "stuck/"}, false},
	} {
		if got := mayMatch(tc.rule, waiting); got != tc.want {
			t.Errorf("mayMatch(%v, %s) = %v, want %v", tc.rule, waiting, got, tc.want)
		}
	}
	if !expires(map[string]any{"NoncurrentVersionExpiration": map[string]any{"NoncurrentDays": "90"}}) || !expires(map[string]any{"ExpirationInDays": "1"}) ||
		expires(map[string]any{"ExpiredObjectDeleteMarker": "true"}) || expires(map[string]any{"AbortIncompleteMultipartUpload": map[string]any{}}) {
		t.Error("expires tells a deletion from what deletes nothing stored")
	}
}

// TestResultsLifecycle: incomplete uploads are aborted after a day, expired
// delete markers go, filed results move to a cheaper class after a Number
// parameter's days, and no rule can expire anything waiting in completed/.
func TestResultsLifecycle(t *testing.T) {
	onBothTemplates(t, func(t *testing.T, tpl Template) {
		rules, _ := Get(tpl, "Resources", "ResultsBucket", "Properties", "LifecycleConfiguration", "Rules").([]any)
		if len(rules) == 0 {
			t.Fatal("the results bucket has no lifecycle rule")
		}
		aborts, markers := false, false
		tiered := map[string]string{}
		for _, r := range rules {
			id := fmt.Sprint(Get(r, "Id"))
			if Get(r, "Status") != "Enabled" {
				continue
			}
			if expires(r) && mayMatch(r, waiting) {
				t.Errorf("rule %s expires objects or versions its filter may select in %s", id, waiting)
			}
			if Get(r, "AbortIncompleteMultipartUpload", "DaysAfterInitiation") == "1" && mayMatch(r, "any/") {
				aborts = true
			}
			if Get(r, "ExpiredObjectDeleteMarker") == "true" && mayMatch(r, "any/") {
				markers = true
			}
			transitions, _ := Get(r, "Transitions").([]any)
			for _, tr := range transitions {
				if flat(Get(tr, "TransitionInDays")) != "Ref(FiledResultsTierAfterDays)" {
					t.Errorf("rule %s moves objects after %v days, want FiledResultsTierAfterDays", id, Get(tr, "TransitionInDays"))
				}
				if prefix, _ := Get(r, "Prefix").(string); prefix != "" {
					tiered[prefix] = fmt.Sprint(Get(tr, "StorageClass"))
				}
			}
		}
		if !aborts {
			t.Error("no rule aborts every incomplete multipart upload after a day")
		}
		if !markers {
			t.Error("no rule removes every expired delete marker")
		}
		for _, folder := range []string{"processed/", "stuck/", "denied/"} {
			if class := tiered[folder]; class != "GLACIER_IR" && class != "INTELLIGENT_TIERING" {
				t.Errorf("%s moves to %q, want Glacier Instant Retrieval or Intelligent-Tiering", folder, class)
			}
		}
		if _, ok := tiered[waiting]; ok {
			t.Errorf("%s is moved to another class: processing reads it at once", waiting)
		}
		p := Get(tpl, "Parameters", "FiledResultsTierAfterDays")
		if Get(p, "Type") != "Number" || Get(p, "MinValue") == nil || Get(p, "MaxValue") == nil {
			t.Errorf("FiledResultsTierAfterDays is %v, want a Number with bounds", p)
		}
	})
}
