// The printed label: the patient's two identifiers (full name, and the birth
// date or, without one, the patient's record number), the exam's name, its
// start date, and the exam's label code (docs/results.md) as a QR code with
// the code as text under it, to be typed where a scan fails. Every value is
// put in as text (textContent), never as markup.
import { encode } from './vendor/uqr-0.1.3.mjs';
import { formatDate, formatBirthDate } from './format.js';

const svgNS = 'http://www.w3.org/2000/svg';

// Error correction M (15% of the code may be lost). The label code is 48
// characters of the QR alphanumeric set: the smallest version that holds it
// at M is 3 (29 modules), and nothing larger is ever printed.
export const qrErrorCorrection = 'M';
export const qrMaxVersion = 3;

// The code's side without its quiet zone, in millimetres: a version 3 code's
// modules are then 0.52 mm, 4 dots of a 203 dpi label printer.
const qrSideMM = 15;
const quietZone = 4; // modules

// The label sizes the console prints on: a tube label (50 × 25 mm, the 2 × 1 in
// of laboratory tube labels), the 62 × 29 mm label of common desk printers,
// and an A4 sheet. The attendant's choice is kept in this browser's storage
// (the one thing the page stores: no patient data, no token).
export const papers = ['tube50', 'desk62', 'a4'];
const paperKey = 'zmed.labelPaper';
const defaultPaper = 'tube50';

// qrSVG draws text as an SVG of one path, with its quiet zone, at the
// smallest version that holds it at level M (uqr takes the smallest by itself).
export function qrSVG(text) {
  const qr = encode(text, { ecc: qrErrorCorrection, border: quietZone, minVersion: 1, maxVersion: qrMaxVersion, boostEcc: false });
  const svg = document.createElementNS(svgNS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${qr.size} ${qr.size}`);
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Código QR do código da etiqueta');
  const side = `${(qrSideMM * qr.size / (qr.size - 2 * quietZone)).toFixed(2)}mm`;
  svg.setAttribute('width', side);
  svg.setAttribute('height', side);
  svg.dataset.version = String(qr.version);
  const bg = document.createElementNS(svgNS, 'rect');
  bg.setAttribute('width', String(qr.size));
  bg.setAttribute('height', String(qr.size));
  bg.setAttribute('fill', '#fff');
  svg.append(bg);
  let d = '';
  qr.data.forEach((row, y) => row.forEach((dark, x) => {
    if (dark) d += `M${x} ${y}h1v1h-1z`;
  }));
  const path = document.createElementNS(svgNS, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.append(path);
  return svg;
}

// codeText spells the code in groups of four for the eye; the groups are
// spans, so the text copied from the label is the code exactly, without spaces.
function codeText(code) {
  return code.match(/.{1,4}/g).map((group) => {
    const span = document.createElement('span');
    span.textContent = group;
    return span;
  });
}

const segmenter = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter('pt-BR', { granularity: 'grapheme' }) : null;

// graphemes splits text into what a reader sees as characters: a letter with
// its combining accents, an emoji sequence, is one. (A browser without
// Intl.Segmenter keeps at least each letter with its combining marks.)
export function graphemes(text) {
  if (!segmenter) return text.match(/\P{M}\p{M}*/gu) || [];
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

// Words that join a Brazilian name's parts; shortened names drop them.
const particles = new Set(['da', 'das', 'de', 'di', 'do', 'dos', 'du', 'e', "d'"]);

// nameForms lists the ways to print a name, from the full name to the
// shortest: the middle names turned into initials one at a time (the last
// middle name first), the joining particles dropped with them; then the
// initials dropped, the last first; then the first and last names cut short,
// with an ellipsis, a whole grapheme at a time. The first and last names stay
// whole as long as possible: they are what a person is called by.
export function nameForms(name) {
  const full = String(name).normalize('NFC').trim().replace(/\s+/g, ' ');
  const words = full.split(' ');
  const forms = [full];
  if (words.length > 2) {
    const first = words[0];
    const last = words[words.length - 1];
    const middle = words.slice(1, -1);
    const short = [...middle];
    for (let i = middle.length - 1; i >= 0; i--) {
      short[i] = particles.has(middle[i].toLowerCase()) ? '' : `${graphemes(middle[i])[0].toUpperCase()}.`;
      forms.push([first, ...short, last].filter(Boolean).join(' '));
    }
    const initials = short.filter(Boolean);
    while (initials.length > 0) {
      initials.pop();
      forms.push([first, ...initials, last].join(' '));
    }
  }
  const base = graphemes(forms[forms.length - 1]);
  for (let n = base.length - 1; n >= 4; n--) {
    forms.push(`${base.slice(0, n).join('').trimEnd()}…`);
  }
  return [...new Set(forms)];
}

// fitName puts in el the longest form of name that fits: the name in its
// lines, and the label's text column in the label (sizes set by the
// stylesheet of the label size chosen).
function fitName(el, name) {
  const column = el.parentElement;
  const fits = (n) => n.scrollHeight <= n.clientHeight + 1 && n.scrollWidth <= n.clientWidth + 1;
  const forms = nameForms(name);
  for (const form of forms) {
    el.textContent = form;
    if (fits(el) && fits(column)) break;
  }
  el.dataset.shortened = String(el.textContent !== forms[0]);
}

let current = null; // { exam, labelCode, patient }

// identifiers are the patient's second identifier, as printed: the birth
// date, or without it the patient's record number (the patient manager's id).
function secondIdentifier(patient) {
  const born = formatBirthDate(patient?.birth_date);
  if (born) return { term: 'Nasc.', value: born, kind: 'birth' };
  return { term: 'Pront.', value: patient?.id || '', kind: 'record' };
}

function render() {
  if (!current) return;
  const { exam, labelCode, patient } = current;
  const $ = (id) => document.getElementById(id);
  const second = secondIdentifier(patient);
  $('label-second-term').textContent = second.term;
  $('label-second').textContent = second.value;
  $('label-second').dataset.kind = second.kind;
  $('label-exam-name').textContent = exam.name;
  $('label-exam-id').textContent = exam.exam_id;
  $('label-date').textContent = formatDate(exam.started_at || exam.created_at);
  $('label-qr').replaceChildren(qrSVG(labelCode));
  $('label-code').replaceChildren(...codeText(labelCode));
  fitName($('label-patient'), patient?.name || '');
  $('label-patient').title = patient?.name || '';
}

// choosePaper sizes the label for paper; remember keeps the choice for the
// next visit (only a choice the attendant made is written).
export function choosePaper(paper, remember) {
  const value = papers.includes(paper) ? paper : defaultPaper;
  const label = document.getElementById('label');
  label.classList.remove(...papers.map((p) => `paper-${p}`));
  label.classList.add(`paper-${value}`);
  document.getElementById('paper').value = value;
  if (remember) {
    try {
      localStorage.setItem(paperKey, value);
    } catch {
      // Storage refused (a private window): the choice lasts for this page only.
    }
  }
  render();
}

// showLabel fills the label of exam (its Portuguese name in exam.name) for
// patient with its label code and shows it.
export function showLabel(exam, labelCode, patient) {
  current = { exam, labelCode, patient };
  const view = document.getElementById('label-view');
  view.hidden = false;
  view.dataset.examId = exam.exam_id;
  render();
  document.getElementById('print-label').focus();
}

export function clearLabel() {
  current = null;
  document.getElementById('label-view').hidden = true;
  for (const id of ['label-patient', 'label-second', 'label-exam-name', 'label-exam-id', 'label-date']) {
    document.getElementById(id).textContent = '';
  }
  document.getElementById('label-qr').replaceChildren();
  document.getElementById('label-code').replaceChildren();
}

export function setupLabel(back) {
  const paper = document.getElementById('paper');
  let saved = '';
  try {
    saved = localStorage.getItem(paperKey) || '';
  } catch {
    saved = '';
  }
  choosePaper(saved);
  paper.addEventListener('change', () => choosePaper(paper.value, true));
  document.getElementById('print-label').addEventListener('click', () => window.print());
  document.getElementById('close-label').addEventListener('click', () => {
    const view = document.getElementById('label-view');
    view.hidden = true;
    back(view.dataset.examId);
  });
}
