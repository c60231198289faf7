package samtemplate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestAttendantTokensAreShortLived: an attendant's access and ID tokens live
// 15 minutes (a leaked one is soon useless); the console renews them with the
// refresh token, which lasts one 12-hour desk shift; the client can renew and
// revoke (sign-out ends the refresh token too).
func TestAttendantTokensAreShortLived(t *testing.T) {
	tpl := load(t)
	clients := tpl.Resources("AWS::Cognito::UserPoolClient")
	if len(clients) == 0 {
		t.Fatal("no user pool client")
	}
	for id, client := range clients {
		for property, want := range map[string]any{
			"AccessTokenValidity": 15, "IdTokenValidity": 15, "RefreshTokenValidity": 12, "EnableTokenRevocation": true,
		} {
			if got := Get(client, "Properties", property); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: %s is %v, want %v", id, property, got, want)
			}
		}
		units := map[string]any{"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "hours"}
		if got := Get(client, "Properties", "TokenValidityUnits"); !reflect.DeepEqual(got, units) {
			t.Errorf("%s: TokenValidityUnits %v, want %v", id, got, units)
		}
		flows := Get(client, "Properties", "ExplicitAuthFlows").([]any)
		for _, flow := range []any{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"} {
			if !slices.Contains(flows, flow) {
				t.Errorf("%s: %v not allowed (the console signs in with SRP and renews with the refresh token)", id, flow)
			}
		}
	}
}

// TestConsoleKnowsThePasswordPolicy: the console lists the pool's password
// policy to a new attendant and checks a new password against it
// (shared/console/assets/passwordpolicy.js): the same rules as the template's.
func TestConsoleKnowsThePasswordPolicy(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(Root(), "shared", "console", "assets", "passwordpolicy.js"))
	if err != nil {
		t.Fatal(err)
	}
	const marker = "export const passwordPolicy = "
	_, rest, ok := strings.Cut(string(src), marker)
	if !ok {
		t.Fatalf("passwordpolicy.js has no %q", marker)
	}
	line, _, _ := strings.Cut(rest, ";\n")
	var console map[string]any
	if err := json.Unmarshal([]byte(line), &console); err != nil {
		t.Fatalf("passwordpolicy.js's policy is not one JSON object: %v", err)
	}
	for id, pool := range load(t).Resources("AWS::Cognito::UserPool") {
		policy := Get(pool, "Properties", "Policies", "PasswordPolicy").(map[string]any)
		if len(policy) != len(console) {
			t.Errorf("%s: the password policy %v, the console's %v", id, policy, console)
		}
		for rule, value := range console {
			if fmt.Sprint(policy[rule]) != fmt.Sprint(value) {
				t.Errorf("%s: the password policy's %s is %v, the console's %v", id, rule, policy[rule], value)
			}
		}
	}
}
