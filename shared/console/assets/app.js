// The attendants' console: the worklist first; then a patient found by CPF,
// named in a banner before anything is done for them; register, start and
// print a label, reprint, revoke, hand in a result brought on paper, finish
// from a result token.
import { createApi } from './api.js';
import { errorMessage, statusLabels, notificationLabels, channelLabels, notificationFailure, patientStatus, cannotRegister } from './messages.js';
import { maskCPF, maskedCPF, validCPF, cpfDigits, formatDateTime, formatBirthDate } from './format.js';
import { showLabel, setupLabel, clearLabel } from './label.js';
import { $, el, say, fail, setupAlert } from './ui.js';
import { createWorklist } from './worklist.js';
import { createHandin } from './handin.js';
import * as signin from './signin.js';

const api = createApi(signin.bearer, signin.renew);

const state = {
  document: '', // the CPF of the patient on screen, 11 digits
  patient: null, // POST /patient/find's answer for it
  exams: [],
  cursor: '',
  registerKey: '', // the Idempotency-Key of the register form's current submission
  registering: false,
  tokens: new Map(), // exam id → exam token issued in this session (memory only)
  names: new Map(), // exam type → its Portuguese name (GET /exam-types)
};

// examName is the exam's name for people: the Portuguese one.
function examName(exam) {
  return exam.exam_name_pt || state.names.get(exam.exam_type) || exam.exam_name || `Exame ${exam.exam_type}`;
}

// retryable are the failures that may pass by themselves: the screen stays as
// it was and the attendant may try the same action again.
const retryable = new Set(['NETWORK', 'DEPENDENCY_UNAVAILABLE', 'INTERNAL']);

function failWith(err, { near, focus, retry } = {}) {
  fail(errorMessage(err.code), { near, focus, retry: retryable.has(err.code) ? retry : undefined });
  if (err.code === 'UNAUTHENTICATED') signin.end(true);
  if (err.code === 'INVALID_TRANSITION') refresh();
}

const worklist = createWorklist(api, examName, failWith);

function showView(view) {
  $('worklist-view').hidden = view !== 'worklist';
  $('patient-view').hidden = view !== 'patient';
}

function actorText(by) {
  if (!by) return '';
  if (by.kind === 'automatic') return 'automático (resultado recebido)';
  return by.name || by.id || 'atendente';
}

function renderExam(exam) {
  const name = examName(exam);
  const li = el('li', { class: 'exam', 'data-exam-id': exam.exam_id, 'data-status': exam.status });
  const badge = el('span', { class: `badge badge-${exam.status}` }, statusLabels[exam.status] || exam.status);
  li.append(el('h3', {}, name, badge));
  const dl = el('dl');
  const row = (term, value) => { if (value) dl.append(el('dt', {}, term), el('dd', {}, value)); };
  row('Exame', el('span', { class: 'id' }, exam.exam_id));
  row('Cadastrado em', formatDateTime(exam.created_at));
  row('Iniciado em', formatDateTime(exam.started_at));
  row('Finalizado em', formatDateTime(exam.finished_at));
  row('Revogado em', formatDateTime(exam.revoked_at));
  if (exam.notification) {
    const n = exam.notification;
    const parts = [notificationLabels[n.status] || n.status, channelLabels[n.channel], n.at ? `em ${formatDateTime(n.at)}` : ''];
    if (n.status === 'failed' && n.code) parts.push(`— ${notificationFailure(n.code)}`);
    row('Aviso', el('span', { class: 'notification' }, parts.filter(Boolean).join(' ')));
  }
  li.append(dl);
  if (Array.isArray(exam.history) && exam.history.length) {
    const ol = el('ol', { class: 'history', 'aria-label': `Histórico de ${name}` });
    for (const h of exam.history) {
      ol.append(el('li', {}, `${statusLabels[h.status] || h.status} em ${formatDateTime(h.at)} por ${actorText(h.by)}`));
    }
    li.append(el('p', { class: 'hint' }, 'Histórico'), ol);
  }
  const actions = el('div', { class: 'actions row' });
  const button = (text, handler, cls) => {
    const b = el('button', { type: 'button', class: cls || '' }, text);
    b.addEventListener('click', () => handler(exam, b));
    actions.append(b);
  };
  if (exam.status === 'Registered') button('Iniciar e imprimir etiqueta', startExam);
  if (exam.status === 'Started') {
    button('Reimprimir etiqueta', startExam, 'secondary');
    button('Entregar resultado em papel', (x) => handin.open(x, examName(x)), 'secondary');
    button('Finalizar com token de resultado', openFinish, 'secondary');
  }
  if (exam.status === 'Registered' || exam.status === 'Started') button('Revogar', openRevoke, 'danger');
  if (actions.childElementCount) li.append(actions);
  return li;
}

function renderExams() {
  // An error shown in an exam's item stays with that exam when the list is drawn again.
  const box = $('alert');
  const at = $('exams').contains(box) ? box.closest('li.exam').dataset.examId : '';
  if (at) $('exams').after(box);
  $('exams').replaceChildren(...state.exams.map(renderExam));
  const item = at && document.querySelector(`li.exam[data-exam-id="${at}"]`);
  if (item) item.append(box);
  $('exams-empty').hidden = state.exams.length > 0;
  $('load-more').hidden = !state.cursor;
  $('exams-section').hidden = false;
}

// renderPatient fills the banner and says whether registration is offered.
function renderPatient() {
  const p = state.patient;
  $('patient-banner').dataset.status = p.status;
  $('patient-name').textContent = p.name || 'Paciente sem nome no cadastro';
  $('patient-status').textContent = patientStatus(p.status);
  $('patient-birth').textContent = formatBirthDate(p.birth_date) || 'não informado';
  $('patient-cpf').textContent = maskedCPF(state.document);
  const refused = p.can_register === false;
  $('register-button').disabled = refused;
  $('exam-type').disabled = refused;
  $('register-reason').hidden = !refused;
  $('register-reason').textContent = refused ? cannotRegister(p.status) : '';
  $('register-section').hidden = false;
}

// actionsOf is where an error about exam id shows: under its actions (the
// list's heading when the exam has none left).
function actionsOf(id) {
  return document.querySelector(`li.exam[data-exam-id="${id}"] .actions`) || $('exams-title');
}

// examFocus is where the focus goes back to for exam id: its first action.
function examFocus(id) {
  return document.querySelector(`[data-exam-id="${id}"] .actions button`) || $('cpf');
}

function replaceExam(exam) {
  const i = state.exams.findIndex((e) => e.exam_id === exam.exam_id);
  if (i >= 0) state.exams[i] = exam;
  renderExams();
}

async function refresh() {
  if (!state.document) return;
  try {
    const page = await api.list(state.document);
    state.exams = page.exams;
    state.cursor = page.next_cursor || '';
    renderExams();
  } catch (err) {
    failWith(err, { near: $('exams-title'), focus: null, retry: refresh });
  }
}

// forgetPatient takes the patient off the screen.
function forgetPatient() {
  state.document = '';
  state.patient = null;
  state.exams = [];
  state.cursor = '';
  state.registerKey = '';
  $('exams').replaceChildren();
  $('exams-section').hidden = true;
  $('register-section').hidden = true;
  for (const id of ['patient-name', 'patient-status', 'patient-birth', 'patient-cpf', 'register-reason']) $(id).textContent = '';
  clearLabel();
  handin.close();
}

// openPatient finds the patient and lists their exams. A failure that may
// pass (the network) leaves the screen as it was, with a retry; any other
// (an unknown CPF) takes the previous patient off the screen, so nothing is
// done for the wrong person.
async function openPatient(doc) {
  performance.mark('zmed:search');
  try {
    const [patient, page] = await Promise.all([api.find(doc), api.list(doc)]);
    if (state.document !== doc) {
      forgetPatient();
      state.document = doc;
    }
    state.patient = patient;
    state.exams = page.exams;
    state.cursor = page.next_cursor || '';
    renderPatient();
    renderExams();
    showView('patient');
    // For make bench: the list is on screen at the next frame.
    requestAnimationFrame(() => performance.mark('zmed:listed'));
    say(page.exams.length ? `${page.exams.length} exame(s) encontrado(s).` : 'Nenhum exame para este paciente.');
  } catch (err) {
    if (!retryable.has(err.code)) {
      forgetPatient();
      showView('worklist');
    }
    failWith(err, { near: $('search-form'), focus: err.code === 'INVALID_DOCUMENT' ? $('cpf') : undefined, retry: () => openPatient(doc) });
  }
}

function search(ev) {
  ev.preventDefault();
  const cpf = $('cpf').value;
  if (!validCPF(cpf)) {
    fail(errorMessage('INVALID_DOCUMENT'), { near: $('search-form'), focus: $('cpf') });
    return;
  }
  openPatient(cpfDigits(cpf));
}

async function loadMore() {
  try {
    const page = await api.list(state.document, state.cursor);
    const first = page.exams[0];
    state.exams = state.exams.concat(page.exams);
    state.cursor = page.next_cursor || '';
    renderExams();
    say(`Mais ${page.exams.length} exame(s) carregado(s).`);
    // The focus goes to the first exam of the new page (its first action).
    if (first) examFocus(first.exam_id).focus();
  } catch (err) {
    failWith(err, { near: $('load-more'), retry: loadMore });
  }
}

// register: one Idempotency-Key per form submission. A second click while the
// first is on its way is the same submission; a submission that got no answer
// is retried with the same key, so it can never create two exams.
async function register(ev) {
  ev?.preventDefault();
  if (state.registering || !state.patient || state.patient.can_register === false) return;
  state.registering = true;
  $('register-button').disabled = true;
  state.registerKey ||= crypto.randomUUID();
  try {
    const exam = await api.register(state.document, Number($('exam-type').value), state.registerKey);
    state.registerKey = '';
    if (!state.exams.some((e) => e.exam_id === exam.exam_id)) state.exams.unshift(exam);
    renderExams();
    say(`Exame cadastrado: ${examName(exam)}.`);
    examFocus(exam.exam_id).focus();
  } catch (err) {
    if (err.code !== 'NETWORK') state.registerKey = '';
    failWith(err, { near: $('register-form'), retry: () => register() });
  } finally {
    state.registering = false;
    $('register-button').disabled = state.patient?.can_register === false;
  }
}

// startExam starts the exam (or, when it is already Started, gets a new token
// for it: the start is idempotent) and shows its label.
async function startExam(exam, button) {
  button.disabled = true;
  try {
    const r = await api.start(state.document, exam);
    state.tokens.set(r.exam.exam_id, r.exam_token);
    replaceExam(r.exam);
    say(exam.status === 'Started' ? 'Etiqueta pronta para reimpressão.' : 'Exame iniciado. Etiqueta pronta para impressão.');
    showLabel({ ...r.exam, name: examName(r.exam) }, r.label_code, { ...state.patient });
  } catch (err) {
    button.disabled = false;
    failWith(err, { near: button.parentElement, retry: () => startExam(exam, button) });
  }
}

let pending = null; // the exam a dialog acts on

function openRevoke(exam) {
  pending = exam;
  $('revoke-what').textContent = `${examName(exam)}: ${exam.exam_id}. A revogação não pode ser desfeita.`;
  $('revoke-reason').value = '';
  $('revoke-dialog').showModal();
}

async function revoke(exam, reason) {
  try {
    replaceExam(await api.revoke(state.document, exam, reason));
    say('Exame revogado.');
  } catch (err) {
    failWith(err, { near: actionsOf(exam.exam_id), retry: () => revoke(exam, reason) });
  }
}


function openFinish(exam) {
  pending = exam;
  $('finish-what').textContent = `${examName(exam)}: ${exam.exam_id}.`;
  $('result-token').value = '';
  $('finish-dialog').showModal();
}

async function finish(exam, resultToken) {
  try {
    let examToken = state.tokens.get(exam.exam_id);
    if (!examToken) {
      // The idempotent start gives a Started exam's token again.
      const r = await api.start(state.document, exam);
      examToken = r.exam_token;
      state.tokens.set(exam.exam_id, examToken);
    }
    const r = await api.communicate(examToken, resultToken);
    replaceExam(r.exam);
    say('Exame finalizado.');
  } catch (err) {
    failWith(err, { near: actionsOf(exam.exam_id), retry: () => finish(exam, resultToken) });
  }
}

// onConfirm handles a dialog's form: submitted with its field filled, the
// dialog closes and act runs on the exam it was opened for.
function onConfirm(dialog, field, act) {
  return (ev) => {
    ev.preventDefault();
    const value = $(field).value.trim();
    if (!value) return;
    $(dialog).close();
    act(pending, value);
  };
}

const handin = createHandin(api, {
  document: () => state.document,
  filed: () => refresh(),
  failed: failWith,
  fail,
  say,
});

// loadNames reads the catalog's Portuguese names; without them (an older API)
// the page keeps the names of /console/catalog.json.
async function loadNames() {
  try {
    const r = await api.examTypes();
    const types = Array.isArray(r) ? r : (r.exam_types || r.types || []);
    for (const t of types) {
      const name = t.name_pt || t.exam_name_pt;
      if (Number.isInteger(t.code) && name) state.names.set(t.code, name);
    }
    for (const option of $('exam-type').options) {
      const name = state.names.get(Number(option.value));
      if (name) option.textContent = `${option.value} · ${name}`;
    }
  } catch {
    // The English names stay: a worse label, not a broken page.
  }
}

function backToWorklist() {
  showView('worklist');
  worklist.refresh();
  $('cpf').focus();
}

function showSignedIn(expired) {
  const inside = signin.signedIn();
  $('signin').hidden = inside;
  $('workspace').hidden = !inside;
  $('who').hidden = !inside;
  $('who-name').textContent = inside ? `Atendente: ${signin.attendantName()}` : '';
  if (!inside) {
    forgetPatient();
    worklist.clear();
    state.tokens.clear();
    $('revoke-dialog').close();
    $('finish-dialog').close();
    $('cpf').value = '';
    if (expired) fail('Sua sessão expirou. Entre novamente.', { focus: null });
    else say('Você saiu.');
  } else {
    say(`Conectado como ${signin.attendantName()}.`);
    performance.mark('zmed:signedin'); // for make bench: signed in → worklist on screen
    showView('worklist');
    $('cpf').focus();
    // Side by side: worklist items carry their exams' Portuguese names already.
    loadNames();
    worklist.refresh(null);
  }
}

async function main() {
  const [config, catalog] = await Promise.all([
    fetch('/console/config.json').then((r) => r.json()),
    fetch('/console/catalog.json').then((r) => r.json()),
  ]);
  $('exam-type').replaceChildren(...catalog.map((t) => el('option', { value: String(t.code) }, `${t.code} · ${t.name}`)));
  $('exam-type').addEventListener('change', () => { state.registerKey = ''; });
  $('cpf').addEventListener('input', () => { $('cpf').value = maskCPF($('cpf').value); });
  $('search-form').addEventListener('submit', search);
  $('register-form').addEventListener('submit', register);
  $('load-more').addEventListener('click', loadMore);
  $('revoke-form').addEventListener('submit', onConfirm('revoke-dialog', 'revoke-reason', revoke));
  $('revoke-cancel').addEventListener('click', () => $('revoke-dialog').close());
  $('finish-form').addEventListener('submit', onConfirm('finish-dialog', 'result-token', finish));
  $('finish-cancel').addEventListener('click', () => $('finish-dialog').close());
  $('sign-out').addEventListener('click', () => signin.end(false));
  $('back-to-worklist').addEventListener('click', backToWorklist);
  $('worklist-refresh').addEventListener('click', () => worklist.refresh().then((ok) => ok && say('Lista de espera atualizada.')));
  setupAlert();
  setupLabel((id) => examFocus(id).focus());
  signin.setup(config, showSignedIn);
  $('signin').hidden = false;
  document.body.dataset.ready = 'true';
  performance.mark('zmed:ready');
}

main().catch(() => fail('Não foi possível carregar o console. Recarregue a página.'));
