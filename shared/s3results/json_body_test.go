package s3results

import (
	"errors"
	"strings"
	"testing"
)

func TestTokensFromJSONIsStrict(t *testing.T) {
	const both = `"exam_token": "e.e.e", "result_token": "r.r.r"`
	tests := []struct {
		name, body string
		want       error // nil: both tokens read
	}{
		{"both tokens and other members", `{` + both + `, "lab": "ZMED", "values": [1, 2]}`, nil},
		{"surrounding white space", " \n{" + both + "}\n ", nil},
		{"trailing data", `{` + both + `}00`, ErrMalformed},
		{"a second object", `{` + both + `} {}`, ErrMalformed},
		{"exam_token re-cased", `{"eXAm_token": "e.e.e", "result_token": "r.r.r"}`, ErrNoTokens},
		{"result_token re-cased", `{"exam_token": "e.e.e", "Result_Token": "r.r.r"}`, ErrNoTokens},
		{"exam_token twice", `{` + both + `, "exam_token": "x.x.x"}`, ErrMalformed},
		{"other member twice", `{` + both + `, "lab": 1, "lab": 2}`, ErrMalformed},
		{"token not a string", `{"exam_token": 1, "result_token": "r.r.r"}`, ErrMalformed},
		{"not an object", `["e.e.e", "r.r.r"]`, ErrMalformed},
		{"empty", ``, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, r, err := tokensFromJSON(strings.NewReader(tt.body))
			if tt.want == nil {
				if err != nil || e != "e.e.e" || r != "r.r.r" {
					t.Fatalf("= %q, %q, %v; want both tokens", e, r, err)
				}
				return
			}
			if !errors.Is(err, tt.want) || e != "" || r != "" {
				t.Fatalf("= %q, %q, %v; want %v", e, r, err, tt.want)
			}
		})
	}
}
