package strictjson

import (
	"errors"
	"strings"
	"testing"
)

type doc struct {
	Name  *string `json:"name"`
	Count int     `json:"count,omitempty"`
	Skip  string  `json:"-"`
	local string
}

func TestUnmarshal(t *testing.T) {
	tests := []struct {
		name, in  string
		wantErr   error
		wantName  string // "" for none
		wantCount int
	}{
		{"both members", `{"name": "a", "count": 2}`, nil, "a", 2},
		{"unknown members ignored", `{"name": "a", "other": {"x": [1, {"y": null}]}}`, nil, "a", 0},
		{"re-cased name is another member", `{"NAME": "a", "Count": 2}`, nil, "", 0},
		{"exact and re-cased both given", `{"Name": 1, "name": "a"}`, nil, "a", 0},
		{"null", `null`, nil, "", 0},
		{"white space around", " \t\r\n{\"name\": \"a\"}\n", nil, "a", 0},
		{"json:\"-\" and unexported fields are never set", `{"-": "x", "Skip": "x", "local": "x", "skip": "x"}`, nil, "", 0},
		{"wrong type", `{"name": 5}`, &FieldError{}, "", 0},
		{"fraction into an int", `{"count": 1.5}`, &FieldError{}, "", 0},
		{"duplicate", `{"name": "a", "name": "b"}`, ErrDuplicate, "", 0},
		{"duplicate through an escape", `{"name": "a", "n\u0061me": "b"}`, ErrDuplicate, "", 0},
		{"duplicate unknown member", `{"x": 1, "x": 1}`, ErrDuplicate, "", 0},
		{"duplicate in a nested object", `{"x": [{"a": 1, "a": 1}]}`, ErrDuplicate, "", 0},
		{"same name at two levels is fine", `{"a": {"a": 1}, "name": "a"}`, nil, "a", 0},
		{"trailing number", `{"name": "a"}00`, ErrSyntax, "", 0},
		{"second object", `{"name": "a"} {}`, ErrSyntax, "", 0},
		{"trailing garbage", `{"name": "a"}x`, ErrSyntax, "", 0},
		{"truncated", `{"name": "a"`, ErrSyntax, "", 0},
		{"empty", ``, ErrSyntax, "", 0},
		{"array", `[{"name": "a"}]`, ErrSyntax, "", 0},
		{"string", `"name"`, ErrSyntax, "", 0},
		{"too deep", `{"x": ` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}`, ErrSyntax, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d doc
			err := Unmarshal([]byte(tt.in), &d)
			var fieldErr *FieldError
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr) && !(errors.As(tt.wantErr, &fieldErr) && errors.As(err, &fieldErr)):
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			case tt.wantErr != nil:
				return
			}
			got := ""
			if d.Name != nil {
				got = *d.Name
			}
			if got != tt.wantName || d.Count != tt.wantCount || d.Skip != "" || d.local != "" {
				t.Fatalf("decoded %+v", d)
			}
		})
	}
}

func TestErrorsQuoteNoInput(t *testing.T) {
	for _, in := range []string{`{"name": "Maria 52998224725"}00`, `{"name": ["Maria"]}`, `{"Maria": 1, "Maria": 2}`} {
		var d doc
		if err := Unmarshal([]byte(in), &d); err == nil || strings.Contains(err.Error(), "Maria") {
			t.Fatalf("Unmarshal(%s) = %v", in, err)
		}
	}
}
