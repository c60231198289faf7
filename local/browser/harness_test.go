package browser

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/testsupport/apitest"
)

// Fixture patients of local/patients.json.
const (
	maria   = "52998224725" // active, verified cellphone
	joao    = "24843803480" // active, verified e-mail only
	carlos  = "39053344705" // pending
	beatriz = "86288366757" // inactive
	unknown = "12345678909" // a valid CPF the patient manager does not know
	// active, the longest name (accented), a birth date
	longNamed = "12345678810"
	// active, a name with HTML in it, no birth date
	htmlNamed = "98765432029"
)

// hang bounds every wait: a loaded machine never gets near it, a hang ends.
const hang = 90 * time.Second

var browser struct {
	once    sync.Once
	ctx     context.Context
	err     error
	cleanup func()
}

// chromiumPath finds Debian's chromium; without it the tests skip, except in
// CI, where `make test` must have installed it.
func chromiumPath(t *testing.T) string {
	for _, name := range []string{os.Getenv("ZMED_CHROMIUM"), "chromium", "chromium-browser"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found: make test installs it (apt-get install chromium)")
	}
	t.Skip("chromium not found; `make test` installs it (or set ZMED_CHROMIUM)")
	return ""
}

func TestMain(m *testing.M) {
	code := m.Run()
	if browser.cleanup != nil {
		browser.cleanup()
	}
	os.Exit(code)
}

// sharedBrowser starts one headless Chromium for the package; each test opens its own tab.
func sharedBrowser(t *testing.T) context.Context {
	exe := chromiumPath(t)
	browser.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(exe),
			chromedp.Flag("headless", "new"),
			chromedp.NoSandbox, // tests run as root in CI
			chromedp.DisableGPU,
			chromedp.Flag("lang", "pt-BR"),
			chromedp.Flag("force-color-profile", "srgb"),
			chromedp.Flag("font-render-hinting", "none"),
			chromedp.UserDataDir(filepath.Join(os.TempDir(), fmt.Sprintf("zmed-chromium-%d", os.Getpid()))),
		)
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(alloc)
		browser.err = chromedp.Do(ctx) // starts the browser
		browser.ctx = ctx
		browser.cleanup = func() {
			cancel()
			cancelAlloc()
			_ = os.RemoveAll(filepath.Join(os.TempDir(), fmt.Sprintf("zmed-chromium-%d", os.Getpid())))
		}
	})
	if browser.err != nil {
		t.Fatalf("starting chromium: %v", browser.err)
	}
	return browser.ctx
}

// env is one test's local stack and browser tab.
type env struct {
	t     *testing.T
	stack *stack.Stack
	ctx   context.Context
}

// watch runs in the page before its own scripts: it records every
// Content-Security-Policy violation and every API request the page makes
// (method, path, headers) and every script error, for the tests to read.
const watch = `
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
window.__errors = [];
window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
window.addEventListener('unhandledrejection', (e) => window.__errors.push(String(e.reason)));
window.__requests = [];
const realFetch = window.fetch;
window.fetch = (url, init = {}) => {
  window.__requests.push({ method: init.method || 'GET', url: String(url), headers: { ...(init.headers || {}) } });
  return realFetch(url, init);
};`

// start starts a stack on free loopback ports and opens the console in a new tab.
func start(t *testing.T) *env {
	t.Helper()
	return startWith(t, nil)
}

// startWith is start with the stack's configuration changed by configure, and
// before the page loads, prepare run in its tab (with the tab's context).
func startWith(t *testing.T, configure func(*stack.Config), prepare ...func(ctx context.Context)) *env {
	t.Helper()
	parent := sharedBrowser(t)
	dir := t.TempDir()
	cfg, err := stack.ReadConfig(config.FromMap(map[string]string{
		"ZMED_LOCAL_API_ADDR": "127.0.0.1:0", "ZMED_LOCAL_S3_ADDR": "127.0.0.1:0",
		"ZMED_LOCAL_DYNAMODB_ADDR": "127.0.0.1:0", "ZMED_LOCAL_PATIENT_MANAGER_ADDR": "127.0.0.1:0", "ZMED_LOCAL_OPS_ADDR": "127.0.0.1:0",
		"ZMED_LOCAL_PATIENTS": "../patients.json", "ZMED_LOCAL_OUTBOX": filepath.Join(dir, "outbox.jsonl"),
		"ZMED_LOCAL_RETRY_BACKOFF": "50ms",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if configure != nil {
		configure(&cfg)
	}
	s, err := stack.Start(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	tab, cancelTab := chromedp.NewContext(parent)
	if err := chromedp.Do(tab); err != nil { // opens the tab, with no deadline of its own
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tab, hang)
	t.Cleanup(func() {
		cancel()
		cancelTab()
	})
	e := &env{t: t, stack: s, ctx: ctx}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watch}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__csp || []`)); err == nil && len(violations) > 0 {
			t.Errorf("Content-Security-Policy violations: %v", violations)
		}
		if errs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__errors || []`)); err == nil && len(errs) > 0 {
			t.Errorf("script errors in the page: %v", errs)
		}
	})
	for _, p := range prepare {
		p(ctx)
	}
	e.do(chromedp.Navigate(s.APIURL+"/"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)))
	return e
}

func (e *env) do(actions ...chromedp.Action[chromedp.Void]) {
	e.t.Helper()
	if err := chromedp.Do(e.ctx, actions...); err != nil {
		e.t.Fatalf("browser: %v", err)
	}
}

// text is what sel shows (its rendered text, "" when hidden), spaces collapsed.
func (e *env) text(sel string) string {
	e.t.Helper()
	s := eval[string](e, fmt.Sprintf(`(() => { const n = document.querySelector(%q); return n && n.getClientRects().length > 0 ? n.innerText : ''; })()`, sel))
	return strings.Join(strings.Fields(s), " ")
}

// eval evaluates js in the page and returns its value.
func eval[T any](e *env, js string) T {
	e.t.Helper()
	v, err := chromedp.Run(e.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		e.t.Fatalf("browser: %s: %v", js, err)
	}
	return v
}

// waitFor waits until the expression is true (a hang guard, not a verdict).
func (e *env) waitFor(js string) {
	e.t.Helper()
	if _, err := chromedp.Run(e.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(hang))); err != nil {
		e.t.Fatalf("browser: waiting for %s: %v", js, err)
	}
}

// waitText waits until sel is shown and its text contains want.
func (e *env) waitText(sel, want string) {
	e.t.Helper()
	e.waitFor(fmt.Sprintf(`(() => { const n = document.querySelector(%q); return !!n && n.getClientRects().length > 0 && n.textContent.includes(%q); })()`, sel, want))
}

// signInLocal signs in as the local attendant.
func (e *env) signInLocal() {
	e.t.Helper()
	e.do(chromedp.Click(chromedp.CSS("#local-attendant")), chromedp.WaitVisible(chromedp.CSS("#workspace")))
}

// search types cpf (digits) and searches; it waits for the list or an error.
func (e *env) search(cpf string) {
	e.t.Helper()
	e.do(chromedp.SetValue(chromedp.CSS("#cpf"), ""), chromedp.SendKeys(chromedp.CSS("#cpf"), cpf),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('status').textContent = ''; document.getElementById('alert').hidden = true`),
		chromedp.Click(chromedp.CSS(`#search-form button[type="submit"]`)))
	e.waitFor(`document.getElementById('status').textContent !== '' || !document.getElementById('alert').hidden`)
}

// examSel is the selector of the exam's list item.
func examSel(id string) string { return fmt.Sprintf(`li.exam[data-exam-id=%q]`, id) }

// api calls the stack's API directly (arranging and checking state).
func (e *env) api(method, path string, body any) (int, map[string]any) {
	e.t.Helper()
	status, _, out := apitest.Call(e.t, e.stack.APIURL, method, path, body, nil)
	return status, out
}

// listed is the patient's exams, through the API.
func (e *env) listed(cpf string) []map[string]any {
	e.t.Helper()
	status, out := e.api("GET", "/exams/info?limit=100&document="+cpf, nil)
	if status != 200 {
		e.t.Fatalf("list: %d %v", status, out)
	}
	var exams []map[string]any
	for _, x := range out["exams"].([]any) {
		exams = append(exams, x.(map[string]any))
	}
	return exams
}

// registered registers an exam through the API and returns its id.
func (e *env) registered(cpf string, examType int) string {
	e.t.Helper()
	status, out := e.api("POST", "/exam/new", map[string]any{"document": cpf, "exam_type": examType})
	if status != 201 {
		e.t.Fatalf("register: %d %v", status, out)
	}
	return out["exam_id"].(string)
}

// sent are the page's requests to the API with this method and path prefix.
func (e *env) sent(method, path string) []sentRequest {
	e.t.Helper()
	all := eval[[]sentRequest](e, `window.__requests`)
	var out []sentRequest
	for _, r := range all {
		if r.Method == method && strings.HasPrefix(r.URL, path) {
			out = append(out, r)
		}
	}
	return out
}

type sentRequest struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
}
