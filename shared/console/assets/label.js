// The printed label: exam name, exam id, start date and a QR code of the exam
// token. The patient's name is not on it: the API never gives it with an exam.
import { encode } from './vendor/uqr-0.1.3.mjs';
import { formatDate } from './format.js';

const svgNS = 'http://www.w3.org/2000/svg';

// Error correction M (15% of the code may be lost) for an exam token of 377
// characters: a version 15 code (85 modules with the quiet zone) at 0.54 mm a
// module on the 62 mm label; Q or H (versions 18, 20) would shrink the modules
// to 0.47 or 0.44 mm, which a label printer renders less cleanly.
export const qrErrorCorrection = 'M';

// qrSVG draws the token as an SVG of one path, with a 4-module quiet zone.
export function qrSVG(text) {
  const qr = encode(text, { ecc: qrErrorCorrection, border: 4 });
  const svg = document.createElementNS(svgNS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${qr.size} ${qr.size}`);
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Código QR do token do exame');
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

// showLabel fills the label of exam with its token and shows it.
export function showLabel(exam, examToken) {
  document.getElementById('label-exam-name').textContent = exam.exam_name;
  document.getElementById('label-exam-id').textContent = exam.exam_id;
  document.getElementById('label-date').textContent = formatDate(exam.started_at || exam.created_at);
  const box = document.getElementById('label-qr');
  box.replaceChildren(qrSVG(examToken));
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
