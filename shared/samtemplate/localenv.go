package samtemplate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// LocalVariables is what `sam local invoke <id> --env-vars events/env.json`
// gives the function id of the template under root, resolved as SAM CLI
// does: the file's "Parameters" (the local value of each variable, for every
// function) overridden by an entry of the function's own, if it has one, and
// kept to the variables the template declares for the function (its own and
// the Globals'). A function needs no entry of its own: its template resource
// says which of the local values it gets.
func LocalVariables(root, id string) (map[string]string, error) {
	tpl, err := Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return nil, err
	}
	fn, ok := tpl.Resources("AWS::Serverless::Function")[id]
	if !ok {
		return nil, fmt.Errorf("template.yaml has no function %s", id)
	}
	raw, err := os.ReadFile(filepath.Join(root, "events", "env.json"))
	if err != nil {
		return nil, err
	}
	var file map[string]map[string]string
	if err := json.Unmarshal(raw, &file); err != nil {
		return nil, fmt.Errorf("events/env.json: %w", err)
	}
	values := map[string]string{}
	for _, from := range []map[string]string{file["Parameters"], file[id]} {
		for k, v := range from {
			values[k] = v
		}
	}
	vars := map[string]string{}
	for _, declared := range []any{Get(map[string]any(tpl), "Globals", "Function", "Environment", "Variables"), Get(fn, "Properties", "Environment", "Variables")} {
		names, _ := declared.(map[string]any)
		for name := range names {
			if v, ok := values[name]; ok {
				vars[name] = v
			}
		}
	}
	return vars, nil
}
