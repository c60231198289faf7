// The attendants' console: find a patient's exams by CPF, register, start and
// print a label, reprint, revoke, finish from a result token.
import { createApi } from './api.js';
import { errorMessage, statusLabels, notificationLabels, channelLabels, notificationFailure } from './messages.js';
import { maskCPF, validCPF, cpfDigits, formatDateTime } from './format.js';
import { showLabel, setupLabel } from './label.js';
import * as signin from './signin.js';

const $ = (id) => document.getElementById(id);
const api = createApi(signin.bearer, signin.renew);

const state = {
  document: '', // the CPF searched, 11 digits
  exams: [],
  cursor: '',
  registerKey: '', // the Idempotency-Key of the register form's current submission
  registering: false,
  tokens: new Map(), // exam id → exam token issued in this session (memory only)
};

function say(text) {
  $('alert').hidden = true;
  $('status').textContent = text;
}

function fail(text) {
  $('status').textContent = '';
  $('alert').textContent = text;
  $('alert').hidden = false;
}

function failWith(err) {
  fail(errorMessage(err.code));
  if (err.code === 'UNAUTHENTICATED') signin.end(true);
  if (err.code === 'INVALID_TRANSITION') refresh();
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

function actorText(by) {
  if (!by) return '';
  if (by.kind === 'automatic') return 'automático (resultado recebido)';
  return by.name || by.id || 'atendente';
}

function renderExam(exam) {
  const li = el('li', { class: 'exam', 'data-exam-id': exam.exam_id, 'data-status': exam.status });
  const badge = el('span', { class: `badge badge-${exam.status}` }, statusLabels[exam.status] || exam.status);
  li.append(el('h3', {}, exam.exam_name, badge));
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
    const ol = el('ol', { class: 'history', 'aria-label': `Histórico de ${exam.exam_name}` });
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
    button('Finalizar com token de resultado', openFinish, 'secondary');
  }
  if (exam.status === 'Registered' || exam.status === 'Started') button('Revogar', openRevoke, 'danger');
  if (actions.childElementCount) li.append(actions);
  return li;
}

function renderExams() {
  $('exams').replaceChildren(...state.exams.map(renderExam));
  $('exams-empty').hidden = state.exams.length > 0;
  $('load-more').hidden = !state.cursor;
  $('exams-section').hidden = false;
  $('register-section').hidden = false;
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
    fail(errorMessage(err.code));
  }
}

async function search(ev) {
  ev.preventDefault();
  const cpf = $('cpf').value;
  if (!validCPF(cpf)) {
    fail(errorMessage('INVALID_DOCUMENT'));
    $('cpf').focus();
    return;
  }
  performance.mark('zmed:search');
  try {
    const page = await api.list(cpfDigits(cpf));
    state.document = cpfDigits(cpf);
    state.exams = page.exams;
    state.cursor = page.next_cursor || '';
    state.registerKey = '';
    renderExams();
    // For make bench: the list is on screen at the next frame.
    requestAnimationFrame(() => performance.mark('zmed:listed'));
    say(page.exams.length ? `${page.exams.length} exame(s) encontrado(s).` : 'Nenhum exame para este paciente.');
  } catch (err) {
    $('exams-section').hidden = true;
    $('register-section').hidden = true;
    failWith(err);
  }
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
    const next = first && document.querySelector(`[data-exam-id="${first.exam_id}"] .actions button`);
    if (next) next.focus();
  } catch (err) {
    failWith(err);
  }
}

// register: one Idempotency-Key per form submission. A second click while the
// first is on its way is the same submission; a submission that got no answer
// is retried with the same key, so it can never create two exams.
async function register(ev) {
  ev.preventDefault();
  if (state.registering) return;
  state.registering = true;
  $('register-button').disabled = true;
  state.registerKey ||= crypto.randomUUID();
  try {
    const exam = await api.register(state.document, Number($('exam-type').value), state.registerKey);
    state.registerKey = '';
    if (!state.exams.some((e) => e.exam_id === exam.exam_id)) state.exams.unshift(exam);
    renderExams();
    say(`Exame cadastrado: ${exam.exam_name}.`);
    const first = document.querySelector(`[data-exam-id="${exam.exam_id}"] .actions button`);
    if (first) first.focus();
  } catch (err) {
    if (err.code !== 'NETWORK') state.registerKey = '';
    failWith(err);
  } finally {
    state.registering = false;
    $('register-button').disabled = false;
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
    showLabel(r.exam, r.label_code);
  } catch (err) {
    button.disabled = false;
    failWith(err);
  }
}

let pending = null; // the exam a dialog acts on

function openRevoke(exam) {
  pending = exam;
  $('revoke-what').textContent = `${exam.exam_name}: ${exam.exam_id}. A revogação não pode ser desfeita.`;
  $('revoke-reason').value = '';
  $('revoke-dialog').showModal();
}

async function confirmRevoke(ev) {
  ev.preventDefault();
  const reason = $('revoke-reason').value.trim();
  if (!reason) return;
  $('revoke-dialog').close();
  try {
    replaceExam(await api.revoke(state.document, pending, reason));
    say('Exame revogado.');
  } catch (err) {
    failWith(err);
  }
}

function openFinish(exam) {
  pending = exam;
  $('finish-what').textContent = `${exam.exam_name}: ${exam.exam_id}.`;
  $('result-token').value = '';
  $('finish-dialog').showModal();
}

async function confirmFinish(ev) {
  ev.preventDefault();
  const resultToken = $('result-token').value.trim();
  if (!resultToken) return;
  $('finish-dialog').close();
  try {
    let examToken = state.tokens.get(pending.exam_id);
    if (!examToken) {
      // The idempotent start gives a Started exam's token again.
      const r = await api.start(state.document, pending);
      examToken = r.exam_token;
      state.tokens.set(pending.exam_id, examToken);
    }
    const r = await api.communicate(examToken, resultToken);
    replaceExam(r.exam);
    say('Exame finalizado.');
  } catch (err) {
    failWith(err);
  }
}

function showSignedIn(expired) {
  const inside = signin.signedIn();
  $('signin').hidden = inside;
  $('workspace').hidden = !inside;
  $('who').hidden = !inside;
  $('who-name').textContent = inside ? `Atendente: ${signin.attendantName()}` : '';
  if (!inside) {
    state.document = '';
    state.exams = [];
    state.tokens.clear();
    $('exams').replaceChildren();
    $('exams-section').hidden = true;
    $('register-section').hidden = true;
    $('label-view').hidden = true;
    $('label-qr').replaceChildren();
    $('cpf').value = '';
    if (expired) fail('Sua sessão expirou. Entre novamente.');
    else say('Você saiu.');
  } else {
    say(`Conectado como ${signin.attendantName()}.`);
    $('cpf').focus();
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
  $('revoke-form').addEventListener('submit', confirmRevoke);
  $('revoke-cancel').addEventListener('click', () => $('revoke-dialog').close());
  $('finish-form').addEventListener('submit', confirmFinish);
  $('finish-cancel').addEventListener('click', () => $('finish-dialog').close());
  $('sign-out').addEventListener('click', () => signin.end(false));
  setupLabel();
  signin.setup(config, showSignedIn);
  $('signin').hidden = false;
  document.body.dataset.ready = 'true';
  performance.mark('zmed:ready');
}

main().catch(() => fail('Não foi possível carregar o console. Recarregue a página.'));
