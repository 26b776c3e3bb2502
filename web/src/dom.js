// Small DOM helpers: the hub builds its few elements by hand.

// h creates an element: h('a', {href: '/', class: 'x'}, 'text', child, ...).
// Attributes starting with "on" become event listeners; text children are
// inserted as text, never as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) {
      continue;
    }
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) {
      continue;
    }
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// showError replaces el's content with an error box.
export function showError(el, title, detail) {
  el.replaceChildren(h('div', { class: 'error', role: 'alert' }, h('strong', {}, title), detail ? h('p', {}, detail) : null));
}

// setConn shows the connection state in the top bar.
export function setConn(state, detail = '') {
  const el = document.getElementById('conn');
  if (!el) {
    return;
  }
  el.dataset.state = state;
  const labels = { open: 'connected', closed: 'disconnected', error: 'connection error', idle: '' };
  el.textContent = state in labels ? labels[state] : state;
  el.title = detail;
}

// setCrumb shows where the user is in the top bar.
export function setCrumb(...parts) {
  const el = document.getElementById('crumb');
  if (el) {
    el.replaceChildren(...parts.flatMap((p, i) => (i ? [h('span', { class: 'sep' }, '/'), p] : [p])));
  }
}
