package browser

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/testsupport/scantest"
)

// openHandin opens the hand-in dialog of exam id.
func (e *env) openHandin(id string) {
	e.t.Helper()
	e.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`[...document.querySelectorAll(%q)].find((b) => b.textContent === 'Entregar resultado em papel').click()`, examSel(id)+" .actions button")))
	e.waitFor(`document.getElementById('handin-dialog').open`)
}

// handIn chooses path in the dialog and sends it.
func (e *env) handIn(path string) {
	e.t.Helper()
	e.do(chromedp.SetUploadFiles(chromedp.CSS("#handin-file"), []string{path}),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('alert').hidden = true`),
		chromedp.Click(chromedp.CSS("#handin-send")))
}

// labelScan is a scanned page carrying the label's code and a result token:
// the foot of a page at 200 dpi, 2° off, as a JPEG.
func labelScan(labelCode, resultTok string, seed uint64) []byte {
	page := scantest.RenderPage(200, scantest.Codes(labelCode, resultTok))
	return scantest.JPEG(scantest.Scanned(scantest.Foot(page, 200), 2, seed), 75)
}

// TestResultHandedInAtTheDesk: the attendant hands in a result brought on
// paper, a scan carrying the code of the label printed by the page and the
// laboratory's result token: a file of the wrong type or over 50 MiB is
// refused in the page, before anything is sent; the scan goes to the bucket
// through the presigned POST, and the page shows the exam Finished once
// processing has filed it. A scan without the label is filed stuck, and the
// page says why in Portuguese.
func TestResultHandedInAtTheDesk(t *testing.T) {
	e := startWith(t, func(c *stack.Config) { c.Codes = scantest.Unhurried(c.Codes) })
	e.signInLocal()
	id := e.registered(maria, 1)
	bare := e.registered(maria, 3)
	e.search(maria)
	e.startFromPage(bare)
	e.do(chromedp.Click(chromedp.CSS("#close-label")))
	e.startFromPage(id)
	label, err := decodeQR(e.printedLabel(tubeLabel))
	if err != nil {
		t.Fatal(err)
	}
	e.verifiedLabelCode(t, label, id, maria)
	e.do(chromedp.Click(chromedp.CSS("#close-label")))

	e.openHandin(id)
	for _, v := range e.axe() {
		t.Errorf("hand-in dialog: %s (%s, %d elements): %s", v.ID, v.Impact, v.Nodes, v.Help)
	}
	big := chosenFile(t, "resultado.pdf", nil)
	if err := os.Truncate(big, 60<<20); err != nil { // 60 MiB, sparse
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, path, want string }{
		{"a text file", chosenFile(t, "resultado.txt", []byte("not a scan")), "Tipo de arquivo não aceito: envie um PDF, JPEG ou PNG."},
		{"60 MiB", big, "o limite é 50 MiB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.handIn(tt.path)
			e.waitText("#alert", tt.want)
			if !eval[bool](e, `document.getElementById('handin-dialog').contains(document.getElementById('alert'))`) {
				t.Error("the refusal is not shown in the dialog")
			}
		})
	}
	if n := len(e.sent("POST", "/exam/result-upload")); n != 0 {
		t.Fatalf("%d upload requests for refused files", n)
	}

	e.handIn(chosenFile(t, "resultado.jpg", labelScan(label, resultToken(t, id), 61)))
	e.waitText("#handin-progress", "Resultado arquivado: exame finalizado.")
	e.waitFor(fmt.Sprintf(`document.querySelector(%q).dataset.status === 'Finished'`, examSel(id)))
	if st := statusOf(e.listed(maria), id); st != "Finished" {
		t.Errorf("the exam is %s", st)
	}
	if n := len(e.sent("POST", "/exam/result-upload")); n != 1 {
		t.Errorf("%d upload requests, want 1", n)
	}
	for _, r := range eval[[]sentRequest](e, `window.__requests`) {
		if strings.Contains(r.URL, maria) {
			t.Errorf("a URL carries the CPF: %s", r.URL)
		}
	}
	e.do(chromedp.Click(chromedp.CSS("#handin-cancel")))

	// The other exam, with a page that has the result token but no label.
	e.openHandin(bare)
	e.handIn(chosenFile(t, "sem-etiqueta.jpg", labelScan("", resultToken(t, bare), 62)))
	e.waitText("#alert", "Resultado não arquivado (parado): não foram encontrados no documento os dois códigos")
	if st := statusOf(e.listed(maria), bare); st != "Started" {
		t.Errorf("the exam without its label is %s", st)
	}
}

func statusOf(exams []map[string]any, id string) string {
	for _, x := range exams {
		if x["exam_id"] == id {
			return fmt.Sprint(x["status"])
		}
	}
	return ""
}
