package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/zmed/exam-manager/shared/console"
)

// consoleReport: the console's page weight, and in headless Chromium on the
// local stack the time to the worklist and to the first rendered exam list, beside the API's own
// latency for the same listing.
func consoleReport(ctx context.Context, work string, runs int) error {
	files := console.Files()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Printf("Page weight, uncompressed (every file the page loads; budget 150 000 bytes):\n\n| file | bytes |\n| --- | ---: |\n")
	for _, n := range names {
		fmt.Printf("| %s | %d |\n", n, files[n])
	}
	fmt.Printf("| **total** | **%d** (%s) |\n\n", console.PageWeight(), verdict(console.PageWeight() <= 150_000))

	exe, err := exec.LookPath("chromium")
	if err != nil {
		fmt.Println("chromium is not installed (`make chromium`): no browser timing.")
		return nil
	}
	st, _, err := startStack(ctx, work, "console", nil)
	if err != nil {
		return err
	}
	defer st.Close()
	const doc = "52998224725"
	for i := range 20 {
		resp, err := http.Post(st.APIURL+"/exam/new", "application/json", strings.NewReader(fmt.Sprintf(`{"document":%q,"exam_type":%d}`, doc, 1+i%10)))
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("POST /exam/new: %d", resp.StatusCode)
		}
	}

	// The API alone: GET /exams/info, one page of the 10 the page asks for.
	var api []time.Duration
	for range runs * 5 {
		t0 := time.Now()
		resp, err := http.Get(st.APIURL + "/exams/info?limit=10&document=" + doc)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		api = append(api, time.Since(t0))
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET /exams/info: %d", resp.StatusCode)
		}
	}

	profile := filepath.Join(work, "chromium")
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.Flag("headless", "new"), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(profile))...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil {
		return err
	}
	defer os.RemoveAll(profile)

	type timing struct{ Ready, Search, Worklist float64 }
	var ready, search, first, worklist []time.Duration
	for range runs {
		tab, cancel := chromedp.NewContext(browser)
		tctx, cancelT := context.WithTimeout(tab, time.Minute) // a hang guard
		err := chromedp.Do(tctx,
			chromedp.Navigate(st.APIURL+"/"),
			chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
			chromedp.Click(chromedp.CSS("#local-attendant")),
			chromedp.SendKeys(chromedp.CSS("#cpf"), doc),
			chromedp.Click(chromedp.CSS(`#search-form button[type="submit"]`)))
		var tm timing
		if err == nil {
			tm, err = chromedp.Run(tctx, chromedp.Poll[timing](`(() => {
				const m = (n) => performance.getEntriesByName(n)[0];
				if (!m('zmed:listed') || !m('zmed:worklist')) return null;
				return { Ready: m('zmed:ready').startTime, Search: m('zmed:listed').startTime - m('zmed:search').startTime,
					Worklist: m('zmed:worklist').startTime - m('zmed:signedin').startTime };
			})()`))
		}
		cancelT()
		cancel()
		if err != nil {
			return fmt.Errorf("console in chromium: %w", err)
		}
		ready = append(ready, ms2d(tm.Ready))
		search = append(search, ms2d(tm.Search))
		first = append(first, ms2d(tm.Ready+tm.Search))
		worklist = append(worklist, ms2d(tm.Worklist))
	}
	med := func(d []time.Duration) string {
		slices.Sort(d)
		return ms(d[len(d)/2])
	}
	fmt.Printf("Headless Chromium (Debian's), the local stack, a patient with 20 exams; median of %d page loads (%d API calls):\n\n", runs, len(api))
	fmt.Printf("| step | median |\n| --- | ---: |\n")
	fmt.Printf("| navigation → console ready (page, modules, config and catalog loaded) | %s |\n", med(ready))
	fmt.Printf("| signed in → the worklist rendered (one `GET /exams/worklist` page of each status, side by side) | %s |\n", med(worklist))
	fmt.Printf("| search submitted → banner and first exam list rendered (`POST /patient/find` and `POST /exams/info` of 10 exams, side by side) | %s |\n", med(search))
	fmt.Printf("| **time to the first rendered exam list** (the two above; the attendant's typing aside) | **%s** |\n", med(first))
	fmt.Printf("| the API alone: `GET /exams/info?limit=10`, Go client on the same stack | %s |\n", med(api))
	return nil
}

func ms2d(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }
