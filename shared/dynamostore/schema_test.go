package dynamostore

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/zmed/exam-manager/shared/samtemplate"
)

// recordTable keeps the CreateTable input it is given.
type recordTable struct{ in *dynamodb.CreateTableInput }

func (r *recordTable) CreateTable(_ context.Context, in *dynamodb.CreateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	r.in = in
	return &dynamodb.CreateTableOutput{}, nil
}

// TestSchemaIsTheTemplates: the table the emulators get is the one
// template.yaml deploys: its attributes, key and indexes with their keys and
// projections (the worklist's list of projected attributes included), so that
// the store's tests run on the production schema.
func TestSchemaIsTheTemplates(t *testing.T) {
	tpl, err := samtemplate.Load(filepath.Join(samtemplate.Root(), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	props := samtemplate.Get(tpl, "Resources", "ExamTable", "Properties")
	var rec recordTable
	if err := CreateTable(context.Background(), &rec, "exams"); err != nil {
		t.Fatal(err)
	}
	// Both as the template writes them: names as CloudFormation spells them.
	var fromCode map[string]any
	raw, _ := json.Marshal(struct {
		AttributeDefinitions   any
		KeySchema              any
		GlobalSecondaryIndexes any
	}{rec.in.AttributeDefinitions, rec.in.KeySchema, rec.in.GlobalSecondaryIndexes})
	if err := json.Unmarshal(raw, &fromCode); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes"} {
		got, _ := json.Marshal(samtemplate.Get(props, key))
		want, _ := json.Marshal(withoutNulls(fromCode[key]))
		if string(got) != string(want) {
			t.Errorf("ExamTable %s in template.yaml:\n %s\nCreateTable's:\n %s", key, got, want)
		}
	}
}

// withoutNulls drops the members the SDK leaves unset (nil), which the
// template does not write.
func withoutNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if x != nil {
				out[k] = withoutNulls(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = withoutNulls(x)
		}
		return out
	}
	return v
}
