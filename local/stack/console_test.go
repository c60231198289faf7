package stack

import (
	"net/http"
	"testing"
)

// TestConsoleRoutesArePublic: as in template.yaml, the console's page and
// files carry no authorizer (a bad token does not stop them), while every API
// route still refuses it.
func TestConsoleRoutesArePublic(t *testing.T) {
	e := startStack(t)
	for _, tt := range []struct {
		path   string
		status int
	}{
		{"/", 200},
		{"/console/app.js", 200},
		{"/console/catalog.json", 200},
		{"/exams/info?document=52998224725", 401},
	} {
		req, _ := http.NewRequest("GET", e.s.APIURL+tt.path, nil)
		req.Header.Set("Authorization", "Bearer not-a-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("GET %s with a bad token: %d, want %d", tt.path, resp.StatusCode, tt.status)
		}
	}
}
