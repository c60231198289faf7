package browser

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// fixture is a patient of local/patients.json, as the patient manager gives it.
type fixture struct {
	ID        string `json:"id"`
	Document  string `json:"document"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	BirthDate string `json:"birth_date"`
}

// patientOf reads the local patient manager's fixture for cpf.
func patientOf(t *testing.T, cpf string) fixture {
	t.Helper()
	raw, err := os.ReadFile("../patients.json")
	if err != nil {
		t.Fatal(err)
	}
	var all []fixture
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if p.Document == cpf {
			return p
		}
	}
	t.Fatalf("no patient %s in local/patients.json", cpf)
	return fixture{}
}

// ddmmaaaa is a YYYY-MM-DD day as the page shows it.
func ddmmaaaa(day string) string {
	if len(day) != 10 {
		return ""
	}
	return day[8:10] + "/" + day[5:7] + "/" + day[0:4]
}

// worklistIDs are the exam ids the worklist of status shows, in order.
func (e *env) worklistIDs(status string) []string {
	e.t.Helper()
	return eval[[]string](e, fmt.Sprintf(`[...document.querySelectorAll('#worklist-%s li')].map((li) => li.dataset.examId)`, status))
}

// TestWorklistIsTheFirstScreen: signed in, the console opens on the
// worklist: the exams waiting to be examined and those waiting for a result,
// across patients, oldest first, with the patient's name, the exam's
// Portuguese name and how long each has waited, a page at a time.
func TestWorklistIsTheFirstScreen(t *testing.T) {
	e := start(t)
	var registered []string
	for i := range 11 {
		cpf := maria
		if i%2 == 1 {
			cpf = joao
		}
		registered = append(registered, e.registered(cpf, 1+i%10))
	}
	started := e.registered(joao, 4)
	if status, out := e.api("POST", "/exam/start", map[string]any{"document": joao, "exam_id": started, "exam_type": 4}); status != 200 {
		t.Fatalf("start: %d %v", status, out)
	}
	e.signInLocal()
	e.waitFor(`document.querySelectorAll('#worklist-Registered li').length > 0 && document.querySelectorAll('#worklist-Started li').length > 0`)
	if !eval[bool](e, `!document.getElementById('worklist-view').hidden && document.getElementById('patient-view').hidden`) {
		t.Fatal("the worklist is not the first screen")
	}
	if got := e.worklistIDs("Registered"); strings.Join(got, ",") != strings.Join(registered[:10], ",") {
		t.Errorf("waiting to be examined: %v, want the ten oldest first %v", got, registered[:10])
	}
	first := e.text(fmt.Sprintf(`#worklist-Registered li[data-exam-id=%q]`, registered[0]))
	if !containsAll(first, patientOf(t, maria).Name, "Hemograma completo", "há menos de 1 min") {
		t.Errorf("worklist item %q: want the patient, the exam in Portuguese and how long it waited", first)
	}
	if got := e.text("#worklist-Started"); !containsAll(got, "Aguardando resultado", patientOf(t, joao).Name, "Hemoglobina glicada (HbA1c)", "há ") {
		t.Errorf("waiting for a result: %q", got)
	}
	if slices.Contains(e.worklistIDs("Registered"), started) || !slices.Contains(e.worklistIDs("Started"), started) {
		t.Error("the started exam is not listed as waiting for a result only")
	}
	e.do(chromedp.Click(chromedp.CSS("#worklist-Registered .worklist-more")))
	e.waitFor(`document.querySelectorAll('#worklist-Registered li').length === 11`)
	if got := e.worklistIDs("Registered"); strings.Join(got, ",") != strings.Join(registered, ",") {
		t.Errorf("after the next page: %v", got)
	}
	if eval[bool](e, `!document.querySelector('#worklist-Registered .worklist-more').hidden`) {
		t.Error("'Carregar mais' still offered on the last page")
	}
	// The focus goes to the first exam of the new page.
	if got := eval[string](e, `document.activeElement.dataset.examId || ''`); got != registered[10] {
		t.Errorf("the focus is on %q, want the first exam of the new page", got)
	}
	for _, v := range e.axe() {
		t.Errorf("worklist: %s (%s, %d elements): %s", v.ID, v.Impact, v.Nodes, v.Help)
	}
}

// TestPatientBanner: the patient's name, status, birth date and masked CPF
// show before anything is done for them; the CPF is sent in bodies only,
// never in a URL.
func TestPatientBanner(t *testing.T) {
	e := start(t)
	e.signInLocal()
	e.registered(maria, 3)
	e.search(maria)
	e.waitFor(`!document.getElementById('patient-view').hidden`)
	p := patientOf(t, maria)
	banner := e.text("#patient-banner")
	want := []string{p.Name, "Ativo", "***.982.247-**"}
	if p.BirthDate != "" {
		want = append(want, ddmmaaaa(p.BirthDate))
	}
	if !containsAll(banner, want...) {
		t.Errorf("banner %q, want %q", banner, want)
	}
	if strings.Contains(banner, "529.982.247-25") || strings.Contains(banner, maria) {
		t.Errorf("the banner shows the whole CPF: %q", banner)
	}
	if got := e.text("li.exam h3"); !strings.Contains(got, "Glicemia de jejum") {
		t.Errorf("the exam reads %q, want its Portuguese name", got)
	}
	if got := eval[string](e, `document.getElementById('exam-type').selectedOptions[0].textContent`); got != "1 · Hemograma completo" {
		t.Errorf("the catalog reads %q, want Portuguese names", got)
	}
	for _, r := range eval[[]sentRequest](e, `window.__requests`) {
		if strings.Contains(r.URL, maria) {
			t.Errorf("a URL carries the CPF: %s %s", r.Method, r.URL)
		}
	}
	if len(e.sent("POST", "/patient/find")) == 0 || len(e.sent("POST", "/exams/info")) == 0 {
		t.Error("the page did not find the patient and list the exams with POST")
	}
	// Back to the worklist, and another patient: the banner is theirs.
	e.do(chromedp.Click(chromedp.CSS("#back-to-worklist")), chromedp.WaitVisible(chromedp.CSS("#worklist-view")))
	e.search(joao)
	e.waitText("#patient-name", patientOf(t, joao).Name)
	if got := e.text("#patient-cpf"); got != "***.438.034-**" {
		t.Errorf("joão's masked CPF %q", got)
	}
	// A name with HTML in it shows as text, never as markup; without a birth
	// date, the banner says it is not known.
	h := patientOf(t, htmlNamed)
	e.do(chromedp.Click(chromedp.CSS("#back-to-worklist")), chromedp.WaitVisible(chromedp.CSS("#worklist-view")))
	e.search(htmlNamed)
	arg, _ := json.Marshal(h.Name)
	e.waitFor(fmt.Sprintf(`document.getElementById('patient-name').textContent === %s`, arg))
	if eval[bool](e, `document.querySelector('#patient-banner img, #patient-banner b') !== null`) {
		t.Error("the patient's name was read as markup")
	}
	if got := e.text("#patient-birth"); got != "não informado" {
		t.Errorf("no birth date reads %q", got)
	}
}

// TestRegistrationNotOfferedToAnInactivePatient: for a pending or an
// inactive patient the page says why and offers no registration: the button
// is disabled and no request leaves the page, even when the form is submitted.
func TestRegistrationNotOfferedToAnInactivePatient(t *testing.T) {
	for _, tt := range []struct {
		name, cpf, status, why string
	}{
		{"pending", carlos, "Cadastro pendente", "pendente"},
		{"inactive", beatriz, "Inativo", "inativo"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := openPatient(t, tt.cpf)
			e.waitText("#patient-status", tt.status)
			if !eval[bool](e, `document.getElementById('register-button').disabled`) {
				t.Fatal("registration is offered")
			}
			if got := e.text("#register-reason"); !strings.Contains(got, tt.why) {
				t.Errorf("the reason shown is %q", got)
			}
			e.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('register-form').requestSubmit()`))
			if n := len(e.sent("POST", "/exam/new")); n != 0 {
				t.Errorf("%d register requests sent", n)
			}
			for _, v := range e.axe() {
				t.Errorf("%s (%s, %d elements): %s", v.ID, v.Impact, v.Nodes, v.Help)
			}
		})
	}
}

// offline cuts the tab's network (as a lost connection does) or gives it back.
func (e *env) offline(off bool) {
	e.t.Helper()
	rules := []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}}
	if _, err := chromedp.Call(e.ctx, network.Enable, network.EnableParams{}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := chromedp.Call(e.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules}); err != nil {
		e.t.Fatal(err)
	}
}

// TestNetworkDropKeepsTheScreen: with the connection lost, a search or a
// start says so where the attendant is looking, keeps the screen as it was
// (the patient, the exams) and offers to try again, which works once the
// connection is back.
func TestNetworkDropKeepsTheScreen(t *testing.T) {
	e := start(t)
	id := e.registered(maria, 7)
	e.signInLocal()
	e.waitFor(fmt.Sprintf(`document.querySelector('#worklist-Registered li[data-exam-id=%q]') !== null`, id))
	// The worklist: refreshed without a connection, it stays as it was.
	worklist := e.text("#worklist-view")
	e.offline(true)
	e.do(chromedp.Click(chromedp.CSS("#worklist-refresh")))
	e.waitText("#alert", "Sem conexão com o sistema.")
	if got := e.text("#worklist-view"); !strings.Contains(got, patientOf(t, maria).Name) || !strings.HasPrefix(got, strings.Fields(worklist)[0]) {
		t.Errorf("the worklist changed with the connection lost:\n%q\nwas\n%q", got, worklist)
	}
	if !eval[bool](e, `document.activeElement.id === 'retry' && document.getElementById('worklist-view').contains(document.getElementById('alert'))`) {
		t.Error("the worklist's error is not shown and focused in the worklist, on its retry button")
	}
	e.offline(false)
	shown := eval[int](e, `performance.getEntriesByName('zmed:worklist').length`) // the worklists put on screen so far
	e.do(chromedp.Click(chromedp.CSS("#retry")))
	e.waitFor(fmt.Sprintf(`performance.getEntriesByName('zmed:worklist').length > %d`, shown))
	if got := e.text("#alert"); got != "" {
		t.Errorf("after the retry: %q", got)
	}

	e.search(maria)
	e.waitFor(`!document.getElementById('patient-view').hidden`)
	before := e.text("#patient-view")

	e.offline(true)
	e.search(joao)
	e.waitText("#alert", "Sem conexão com o sistema.")
	if got := e.text("#patient-view"); got != before {
		t.Errorf("the screen changed with the connection lost:\n%q\nwas\n%q", got, before)
	}
	if !eval[bool](e, `document.activeElement.id === 'retry' && document.getElementById('search-form').nextElementSibling.id === 'alert'`) {
		t.Error("the error is not shown and focused by the search form, on its retry button")
	}
	e.inView("#alert")
	e.do(chromedp.Click(chromedp.CSS(examSel(id) + " .actions button")))
	e.waitFor(fmt.Sprintf(`document.querySelector(%q).contains(document.getElementById('alert')) && document.activeElement.id === 'retry'`, examSel(id)))
	e.inView("#alert")
	for _, v := range e.axe() {
		t.Errorf("a network error: %s (%s, %d elements): %s", v.ID, v.Impact, v.Nodes, v.Help)
	}

	e.offline(false)
	e.do(chromedp.Click(chromedp.CSS("#retry")))
	e.waitText("#status", "Exame iniciado")
	e.waitFor(`!document.getElementById('label-view').hidden`)
	if st := e.listed(maria)[0]["status"]; st != "Started" {
		t.Errorf("after the retry the exam is %v", st)
	}
	if got := e.text("#patient-name"); got != patientOf(t, maria).Name {
		t.Errorf("after the retry the banner shows %q", got)
	}
}

// inView checks sel is on screen, where the attendant is looking.
func (e *env) inView(sel string) {
	e.t.Helper()
	if !eval[bool](e, fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect(); return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; })()`, sel)) {
		e.t.Errorf("%s is not on screen", sel)
	}
}

// chosenFile writes body to a file named name for the file chooser.
func chosenFile(t *testing.T, name string, body []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, body, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
