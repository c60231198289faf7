package browser

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestREADMEScreenshot writes the README's picture of the console when
// ZMED_README_SCREENSHOT names the file (`make console-screenshot`); other
// runs skip it, since it checks nothing the other tests do not.
func TestREADMEScreenshot(t *testing.T) {
	out := os.Getenv("ZMED_README_SCREENSHOT")
	if out == "" {
		t.Skip("set ZMED_README_SCREENSHOT=path (make console-screenshot) to write the README's screenshot")
	}
	e := start(t)
	e.signInLocal()
	revoked := e.registered(maria, 2)
	e.api("POST", "/exam/revoke", map[string]any{"document": maria, "exam_id": revoked, "reason": "pedido em duplicidade"})
	finished := e.registered(maria, 1)
	_, started := e.api("POST", "/exam/start", map[string]any{"document": maria, "exam_id": finished, "exam_type": 1})
	e.api("POST", "/exams/communicate", map[string]any{"exam_token": started["exam_token"], "result_token": resultToken(t, finished)})
	e.registered(maria, 5)
	toStart := e.registered(maria, 4)
	e.do(chromedp.EmulateViewport(1100, 900))
	e.search(maria)
	e.startFromPage(toStart)
	shot, err := chromedp.Run(e.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
}
