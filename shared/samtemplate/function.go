package samtemplate

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/config"
)

// CheckFunction holds the template, the Makefile and events/ to one function:
// folder is its functions/ folder, read the configuration its main reads.
// Each function's own test calls it, since only that package can run its
// configuration code.
func CheckFunction(t *testing.T, folder string, read func(*config.Reader)) {
	t.Helper()
	root := Root()
	tpl, err := Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	id := LogicalID(folder)
	fn := tpl.Resources("AWS::Serverless::Function")[id]
	if fn == nil {
		t.Fatalf("template.yaml has no AWS::Serverless::Function %s for functions/%s", id, folder)
	}
	if Get(fn, "Metadata", "BuildMethod") != "makefile" {
		t.Errorf("%s: Metadata.BuildMethod must be makefile", id)
	}

	// The build-<LogicalId> target sam build calls builds this folder.
	out, err := exec.Command("make", "-s", "-n", "-C", root, "build-"+id, "ARTIFACTS_DIR=/artifacts").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "-o /artifacts/bootstrap ./functions/"+folder+"\n") {
		t.Errorf("make build-%s must build functions/%s into $ARTIFACTS_DIR: %v\n%s", id, folder, err, out)
	}

	// Every variable the configuration reads is set; a key may come as NAME or NAME_SECRET_ARN.
	r := config.FromMap(nil)
	read(r)
	read_ := r.Names()
	env := tpl.Environment(id)
	for _, name := range read_ {
		base := strings.TrimSuffix(name, config.SecretSuffix)
		_, set := env[name]
		_, baseSet := env[base]
		_, secretSet := env[base+config.SecretSuffix]
		isKey := slices.Contains(read_, base) && slices.Contains(read_, base+config.SecretSuffix)
		if !set && !(isKey && (baseSet || secretSet)) {
			t.Errorf("%s reads %s but template.yaml does not set it for %s", folder, name, id)
		}
	}
	for name := range env {
		// The SDK endpoint variables are declared (empty) for sam local invoke's sake; the SDK reads them.
		if !slices.Contains(read_, name) && !strings.HasPrefix(name, "AWS_ENDPOINT_URL_") {
			t.Errorf("template.yaml sets %s for %s, which its configuration never reads", name, id)
		}
	}

	// `sam local invoke <Function> --env-vars events/env.json` gives the function
	// the values LocalVariables resolves from that file (the local tools run it
	// with those), and its configuration reads them without a problem.
	local := SAMLocalEnvironment(t)[id]
	vars, err := LocalVariables(root, id)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range vars {
		if got, ok := local[name]; !ok || got != want {
			t.Errorf("sam local invoke %s --env-vars events/env.json: %s = %q, want %q (is it declared in template.yaml?)", id, name, got, want)
		}
	}
	resolved := config.FromMap(local)
	read(resolved)
	if err := resolved.Err(); err != nil {
		t.Errorf("sam local invoke %s --env-vars events/env.json: the configuration refuses it: %v", id, err)
	}

	// At least one sample event.
	events, _ := filepath.Glob(filepath.Join(root, "events", folder, "*.json"))
	if len(events) == 0 {
		t.Errorf("events/%s/ has no sample event", folder)
	}
}
