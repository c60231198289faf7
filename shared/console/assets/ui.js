// What every screen shares: building elements (always as text, never markup),
// the status line, and errors shown and focused where the attendant is looking.

export const $ = (id) => document.getElementById(id);

// el builds an element; children are nodes or strings (text nodes).
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-') || k.startsWith('aria-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

let retryAction = null;

function hideAlert() {
  $('alert').hidden = true;
  $('retry').hidden = true;
  retryAction = null;
}

// say announces progress (role=status) and clears any error.
export function say(text) {
  hideAlert();
  $('status').textContent = text;
}

function visible(node) {
  return node && node.isConnected && node.getClientRects().length > 0;
}

// where the error goes when the caller names no place: under the heading of
// the screen on show.
function defaultPlace() {
  for (const id of ['signin-title', 'back-to-worklist', 'worklist-title']) {
    const n = $(id);
    if (visible(n)) return id === 'worklist-title' ? n.parentElement : n;
  }
  return $('status');
}

// fail shows text as an error (role=alert: announced as it appears) right
// after near, the form or item the attendant acted on, and moves the focus to
// it: to focus when given (the field to correct), to the retry button when
// the action can be tried again (retry runs it), else to the message itself.
// focus === null leaves the focus where it is (a load nobody asked for).
export function fail(text, { near, focus, retry } = {}) {
  $('status').textContent = '';
  const box = $('alert');
  box.hidden = true; // shown again below: announced anew even when the text is the same
  (visible(near) ? near : defaultPlace()).after(box);
  $('alert-text').textContent = text;
  retryAction = retry || null;
  $('retry').hidden = !retry;
  box.hidden = false;
  if (focus === null) return;
  (focus || (retry ? $('retry') : box)).focus();
}

export function setupAlert() {
  $('retry').addEventListener('click', () => {
    const again = retryAction;
    hideAlert();
    if (again) again();
  });
}
