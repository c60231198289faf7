package stack

import (
	"io"
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

// TestHeadOfThePage: the local API answers HEAD / as GET /, without a body.
func TestHeadOfThePage(t *testing.T) {
	e := startStack(t)
	get, err := http.Get(e.s.APIURL + "/")
	if err != nil {
		t.Fatal(err)
	}
	get.Body.Close()
	head, err := http.Head(e.s.APIURL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(head.Body)
	head.Body.Close()
	if head.StatusCode != 200 || len(body) != 0 || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") || head.Header.Get("ETag") != get.Header.Get("ETag") {
		t.Fatalf("HEAD /: %d %v, %d bytes; want GET /'s status and headers (%v), no body", head.StatusCode, head.Header, len(body), get.Header)
	}
}
