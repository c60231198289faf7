// The worklist, the first screen: the exams waiting to be examined
// (Registered) and waiting for a result (Started), across patients, oldest
// first (the API's order), each with how long it has waited, a page at a time.
import { $, el } from './ui.js';
import { waited, formatDateTime } from './format.js';

export const worklistStatuses = ['Registered', 'Started'];

// since is when the exam entered the status it waits in.
function since(exam) {
  const entered = exam.status === 'Started' ? exam.started_at : exam.created_at;
  return entered || exam.updated_at || exam.created_at;
}

// createWorklist: examName(exam) is the exam's Portuguese name; failed(err,
// {near, retry, focus}) shows an error.
export function createWorklist(api, examName, failed) {
  const lists = Object.fromEntries(worklistStatuses.map((s) => [s, { exams: [], cursor: '', loaded: false }]));

  function item(exam) {
    const at = since(exam);
    const name = exam.patient?.name;
    return el('li', { 'data-exam-id': exam.exam_id },
      el('span', { class: name ? 'patient' : 'patient hint' }, name || 'Paciente sem nome registrado'),
      el('span', { class: 'exam-name' }, examName(exam)),
      el('span', { class: 'waited' }, el('time', { dateTime: at, title: `desde ${formatDateTime(at)}` }, waited(at))));
  }

  function render(status) {
    const section = $(`worklist-${status}`);
    const list = lists[status];
    section.querySelector('.worklist-items').replaceChildren(...list.exams.map(item));
    section.querySelector('.worklist-empty').hidden = !list.loaded || list.exams.length > 0;
    section.querySelector('.worklist-more').hidden = !list.cursor;
  }

  // load fetches the first page of status (or its next one, with more); a
  // failure leaves what is on screen as it was, and offers again (or the same
  // load) to retry.
  async function load(status, more, focus, again) {
    const list = lists[status];
    const section = $(`worklist-${status}`);
    try {
      const page = await api.worklist(status, more ? list.cursor : '');
      const first = page.exams?.[0];
      list.exams = more ? list.exams.concat(page.exams || []) : (page.exams || []);
      list.cursor = page.next_cursor || '';
      list.loaded = true;
      render(status);
      if (more && first) section.querySelector(`li[data-exam-id="${first.exam_id}"]`)?.setAttribute('tabindex', '-1');
      if (more && first) section.querySelector(`li[data-exam-id="${first.exam_id}"]`)?.focus();
      return true;
    } catch (err) {
      failed(err, { near: section.querySelector('h3'), focus, retry: again || (() => load(status, more)) });
      return false;
    }
  }

  // refresh loads the first page of each list, side by side.
  async function refresh(focus) {
    const loaded = await Promise.all(worklistStatuses.map((status) => load(status, false, focus, () => refresh())));
    if (!loaded.every(Boolean)) return false;
    requestAnimationFrame(() => performance.mark('zmed:worklist')); // for make bench
    return true;
  }

  for (const status of worklistStatuses) {
    $(`worklist-${status}`).querySelector('.worklist-more').addEventListener('click', () => load(status, true));
  }
  // How long each has waited, kept current while the list is on screen.
  setInterval(() => {
    if (!$('worklist-view').hidden) for (const status of worklistStatuses) if (lists[status].loaded) render(status);
  }, 60_000);

  return {
    refresh,
    clear() {
      for (const status of worklistStatuses) {
        Object.assign(lists[status], { exams: [], cursor: '', loaded: false });
        render(status);
      }
    },
  };
}
