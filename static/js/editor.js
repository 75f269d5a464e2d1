// The article form's helpers. Everything here is an improvement on a form
// that already works without JavaScript: live preview from the server's own
// Markdown renderer, image upload by button or drag-and-drop, and a warning
// before leaving with unsaved changes.
const form = document.querySelector('form.article-form');
const base = form ? form.dataset.base : ''; // the site's mount point, "" at the root

function csrf() {
  return form.querySelector('input[name=csrf_token]').value;
}

async function postJSON(path, body) {
  const r = await fetch(base + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf() },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  return r.ok ? r.json() : null;
}

// Live preview, debounced: the HTML comes from the server, already safe.
function setupPreview(textarea) {
  const target = document.querySelector(textarea.dataset.preview);
  if (!target) return;
  let timer = null;
  let seq = 0;
  textarea.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++seq;
      const data = await postJSON('/api/preview', { markdown: textarea.value });
      if (data && mine === seq) target.innerHTML = data.html;
    }, 250);
  });
}

// Markdown for an uploaded image: a line of its own, so it renders as a
// figure with the caption under it.
function imageMarkdown(url, caption) {
  const text = (caption || '').replace(/[\[\]"\\]/g, '');
  return `![${text}](${url}${text ? ` "${text}"` : ''})`;
}

// The newlines that make text a paragraph of its own between before and
// after: one blank line on each side, counting those already there.
function blockPadding(before, after) {
  const lead = before === '' || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
  const trail = after.startsWith('\n\n') ? '' : after.startsWith('\n') ? '\n' : '\n\n';
  return [lead, trail];
}

function insertBlockAtCursor(textarea, block) {
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? start;
  const before = textarea.value.slice(0, start);
  const after = textarea.value.slice(end);
  const [lead, trail] = blockPadding(before, after);
  const text = lead + block + trail;
  textarea.value = before + text + after;
  textarea.selectionStart = textarea.selectionEnd = start + text.length;
  textarea.dispatchEvent(new Event('input', { bubbles: true }));
}

async function upload(file, textarea, caption, status) {
  status.textContent = '…';
  const body = new FormData();
  body.append('file', file);
  const r = await fetch(base + '/api/media', {
    method: 'POST',
    headers: { 'X-CSRF-Token': csrf() },
    body,
    credentials: 'same-origin',
  });
  const data = await r.json().catch(() => null);
  if (!r.ok || !data) {
    status.textContent = (data && data.error && data.error.message) || `upload failed (${r.status})`;
    return;
  }
  insertBlockAtCursor(textarea, imageMarkdown(data.url, caption.value || file.name.replace(/\.[^.]*$/, '')));
  status.textContent = `${data.width}×${data.height} #${data.id}`;
  caption.value = '';
}

function setupUpload(textarea) {
  const box = document.querySelector(`[data-upload-for="${textarea.id}"]`);
  if (!box) return;
  const input = box.querySelector('input[type=file]');
  const caption = box.querySelector('input[type=text]');
  const status = box.querySelector('.upload-status');
  input.addEventListener('change', () => {
    if (input.files[0]) upload(input.files[0], textarea, caption, status);
    input.value = '';
  });
  textarea.addEventListener('dragover', (e) => {
    if ([...e.dataTransfer.types].includes('Files')) {
      e.preventDefault();
      textarea.classList.add('dragging');
    }
  });
  textarea.addEventListener('dragleave', () => textarea.classList.remove('dragging'));
  textarea.addEventListener('drop', (e) => {
    const file = e.dataTransfer.files[0];
    textarea.classList.remove('dragging');
    if (!file) return;
    e.preventDefault();
    upload(file, textarea, caption, status);
  });
}

// Warn before leaving a form whose fields changed since it was loaded.
function setupDirtyWarning() {
  let dirty = false;
  form.addEventListener('input', () => { dirty = true; });
  form.addEventListener('change', () => { dirty = true; });
  form.addEventListener('submit', () => { dirty = false; });
  window.addEventListener('beforeunload', (e) => {
    if (!dirty) return;
    e.preventDefault();
    e.returnValue = form.dataset.dirtyWarning || '';
  });
}

// The soft lock: while the form stays open, tell the server every minute so
// that others who open it read "being edited by …". Nothing depends on it:
// a lost beat only lets the notice lapse; saves are guarded by the version.
function setupLock() {
  const path = form.dataset.lock;
  if (!path) return;
  const beat = () => fetch(base + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrf() },
    body: 'csrf_token=' + encodeURIComponent(csrf()),
    credentials: 'same-origin',
  }).catch(() => {});
  setInterval(beat, 60000);
}

if (form) {
  const body = form.querySelector('textarea[data-preview]');
  if (body) {
    setupPreview(body);
    setupUpload(body);
  }
  setupDirtyWarning();
  setupLock();
}

// Buttons and links that ask before doing something that cannot be undone.
for (const el of document.querySelectorAll('[data-confirm]')) {
  el.addEventListener('click', (e) => {
    if (!window.confirm(el.dataset.confirm)) e.preventDefault();
  });
}
