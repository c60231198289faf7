// Handing in a result brought on paper: the attendant chooses the file (or
// photographs the paper), the page checks its type and size before sending
// anything, asks the API for a presigned POST, sends the file straight to the
// results bucket with it, then asks where processing filed it until it has.
import { $ } from './ui.js';
import { postToStorage } from './api.js';
import { outcomeText } from './messages.js';

export const acceptedTypes = ['application/pdf', 'image/jpeg', 'image/png'];
export const maxBytes = 50 * 1024 * 1024; // 50 MiB, as processing reads at most

// check says what is wrong with file before it is sent, or ''.
export function check(file) {
  if (!file) return 'Escolha o arquivo do resultado ou fotografe o papel.';
  if (!acceptedTypes.includes(file.type)) return 'Tipo de arquivo não aceito: envie um PDF, JPEG ou PNG.';
  if (file.size === 0) return 'O arquivo está vazio. Escolha outro.';
  if (file.size > maxBytes) {
    return `O arquivo tem ${(file.size / 1024 / 1024).toLocaleString('pt-BR', { maximumFractionDigits: 1 })} MiB: o limite é 50 MiB. Digitalize com menor resolução ou menos páginas.`;
  }
  return '';
}

// How long to wait between two questions about the outcome, and for how many.
const pollDelays = [500, 1000, 1000, 2000, 2000, 3000];
const pollTries = 80; // about four minutes

// createHandin: document() is the patient's CPF; filed(exam) runs once the
// result is processed; failed(err, opts) and fail(text, opts) show errors; say
// announces.
export function createHandin(api, { document: patientDocument, filed, failed, fail, say }) {
  const dialog = $('handin-dialog');
  const progress = $('handin-progress');
  let exam = null;
  let chosen = null;
  let busy = false;

  function show(text) {
    progress.textContent = text;
  }

  function choose(ev) {
    chosen = ev.target.files[0] || null;
    const other = ev.target.id === 'handin-file' ? $('handin-photo') : $('handin-file');
    other.value = '';
    show(chosen ? `Escolhido: ${chosen.name}` : '');
  }

  async function outcome(target, key, doc) {
    for (let i = 0; i < pollTries; i++) {
      let r;
      try {
        r = await api.resultOutcome(doc, target, key);
      } catch (err) {
        busy = false;
        failed(err, { near: progress, retry: () => resume(target, key, doc) });
        return;
      }
      if (r.state !== 'waiting') {
        busy = false;
        $('handin-send').disabled = false;
        const text = outcomeText(r.state, r.reason);
        show(text);
        if (r.state === 'processed') {
          say(text);
          filed(target);
        } else {
          fail(text, { near: progress });
        }
        return;
      }
      show(outcomeText('waiting'));
      await new Promise((done) => setTimeout(done, pollDelays[Math.min(i, pollDelays.length - 1)]));
    }
    busy = false;
    fail('O processamento está demorando mais que o normal. O arquivo foi recebido: verifique de novo em instantes.',
      { near: progress, retry: () => resume(target, key, doc) });
  }

  function resume(target, key, doc) {
    busy = true;
    return outcome(target, key, doc);
  }

  async function send(ev) {
    ev.preventDefault();
    if (busy) return;
    const problem = check(chosen);
    if (problem) {
      fail(problem, { near: progress, focus: $('handin-file') });
      return;
    }
    const target = exam;
    const file = chosen;
    const doc = patientDocument();
    busy = true;
    $('handin-send').disabled = true;
    show('Enviando o arquivo…');
    try {
      const upload = await api.resultUpload(doc, target, file);
      await postToStorage(upload, file);
      show('Arquivo enviado. Aguardando o processamento…');
      await outcome(target, upload.key, doc);
    } catch (err) {
      busy = false;
      $('handin-send').disabled = false;
      show('');
      failed(err, { near: progress, retry: () => send(ev) });
    }
  }

  $('handin-file').addEventListener('change', choose);
  $('handin-photo').addEventListener('change', choose);
  $('handin-form').addEventListener('submit', send);
  $('handin-cancel').addEventListener('click', () => dialog.close());

  return {
    open(target, name) {
      exam = target;
      chosen = null;
      busy = false;
      $('handin-file').value = '';
      $('handin-photo').value = '';
      $('handin-send').disabled = false;
      $('handin-what').textContent = `${name}: ${target.exam_id}. O resultado deve trazer a etiqueta do exame e o código do resultado.`;
      show('');
      dialog.showModal();
    },
    close() {
      exam = null;
      chosen = null;
      if (dialog.open) dialog.close();
    },
  };
}
