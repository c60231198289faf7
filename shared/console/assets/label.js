// The printed label: exam name, exam id, start date, and the exam's label code
// (the exam token's compact form, docs/results.md) as a QR code with the code
// as text under it, to be typed where a scan fails. The patient's name is not
// on it: the API never gives it with an exam.
import { encode } from './vendor/uqr-0.1.3.mjs';
import { formatDate } from './format.js';

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

// showLabel fills the label of exam with its label code and shows it.
export function showLabel(exam, labelCode) {
  document.getElementById('label-exam-name').textContent = exam.exam_name;
  document.getElementById('label-exam-id').textContent = exam.exam_id;
  document.getElementById('label-date').textContent = formatDate(exam.started_at || exam.created_at);
  document.getElementById('label-qr').replaceChildren(qrSVG(labelCode));
  document.getElementById('label-code').replaceChildren(...codeText(labelCode));
  const view = document.getElementById('label-view');
  view.hidden = false;
  view.dataset.examId = exam.exam_id;
  document.getElementById('print-label').focus();
}

export function setupLabel() {
  const paper = document.getElementById('paper');
  const label = document.getElementById('label');
  paper.addEventListener('change', () => {
    label.classList.remove('paper-label62', 'paper-a4');
    label.classList.add(`paper-${paper.value}`);
  });
  document.getElementById('print-label').addEventListener('click', () => window.print());
  document.getElementById('close-label').addEventListener('click', () => {
    const view = document.getElementById('label-view');
    view.hidden = true;
    const back = document.querySelector(`[data-exam-id="${view.dataset.examId}"] .actions button`);
    (back || document.getElementById('cpf')).focus();
  });
}
