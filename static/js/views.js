// Counts one view per page load and shows the new total. The article HTML
// itself stays the same for every visitor, so caches can keep it; without
// JavaScript the count rendered with the page is shown.
const el = document.querySelector('.views[data-count-url]');
if (el) {
  fetch(el.dataset.countUrl, {
    method: 'POST',
    headers: { Accept: 'application/json' },
    credentials: 'omit',
  })
    .then((r) => (r.ok ? r.json() : null))
    .then((data) => {
      if (data && typeof data.views === 'number') el.textContent = String(data.views);
    })
    .catch(() => {});
}
