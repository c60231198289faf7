package browser

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSignedOutShowsOnlySignIn: before anyone signs in, the page shows the
// sign-in controls and none of a signed-in attendant's ("Sair", the
// workspace): an element marked hidden is hidden, whatever its style says.
func TestSignedOutShowsOnlySignIn(t *testing.T) {
	e := start(t)
	if e.text("#signin") == "" || e.text("#local-attendant") == "" {
		t.Fatal("the sign-in controls are not shown")
	}
	for _, sel := range []string{"#who", "#sign-out", "#workspace", "#register-section"} {
		if got := e.text(sel); got != "" {
			t.Errorf("signed out, %s shows %q", sel, got)
		}
	}
	if shown := eval[[]string](e, `[...document.querySelectorAll('[hidden]')].filter((n) => n.getClientRects().length > 0).map((n) => n.id || n.tagName)`); len(shown) > 0 {
		t.Errorf("elements marked hidden are shown: %v", shown)
	}
	// Signed in, the attendant's controls show; signed out again, they hide.
	e.signInLocal()
	if e.text("#sign-out") != "Sair" {
		t.Fatalf("signed in, the sign-out button shows %q", e.text("#sign-out"))
	}
	e.do(chromedp.Click(chromedp.CSS("#sign-out")), chromedp.WaitVisible(chromedp.CSS("#signin")))
	if got := e.text("#sign-out"); got != "" {
		t.Errorf("signed out again, the sign-out button shows %q", got)
	}
}

// TestPageLoadsWithoutMissingFiles: loading the console requests nothing the
// console does not serve (its icon included: no 404 on every load), from its
// own origin only. A proxy in front of the local API sees every request the
// browser makes, the icon's too, which the browser asks for after the page.
func TestPageLoadsWithoutMissingFiles(t *testing.T) {
	e := start(t)
	target, err := url.Parse(e.stack.APIURL)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var answered, failed []string // failed: 4xx and 5xx (a revalidated file may be a 304)
	icon := make(chan struct{}, 1)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		mu.Lock()
		defer mu.Unlock()
		answered = append(answered, r.Request.Method+" "+r.Request.URL.Path+" "+r.Status)
		if r.StatusCode >= 400 {
			failed = append(failed, answered[len(answered)-1])
		}
		if strings.Contains(r.Request.URL.Path, "favicon") {
			select {
			case icon <- struct{}{}:
			default:
			}
		}
		return nil
	}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)

	e.do(chromedp.Navigate(front.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)))
	select {
	case <-icon: // the browser asked for the page's icon and got its answer
	case <-time.After(hang):
		t.Fatal("the browser never asked for the page's icon")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(failed) > 0 {
		t.Errorf("loading the page: %v", failed)
	}
	if len(answered) < 3 {
		t.Fatalf("only %v answered: the proxy saw too little to prove anything", answered)
	}
}
