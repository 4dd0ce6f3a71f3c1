// Background export page: polls the job's small JSON status view and advances the progress
// bar; when the file is ready, shows the download link. Without JavaScript the page refreshes
// itself every few seconds instead (see the <noscript> in the template).
(() => {
  const POLL_MS = 1000;

  const setUp = () => {
    const box = document.querySelector("[data-export-status-url]");
    if (!box) {
      return;
    }
    const bar = box.querySelector("progress");
    const text = box.querySelector("[data-export-text]");
    const ready = box.querySelector("[data-export-ready]");
    const link = box.querySelector("[data-export-link]");
    const url = box.getAttribute("data-export-status-url");
    const format = new Intl.NumberFormat();

    const poll = async () => {
      let state;
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        state = await response.json();
      } catch (error) {
        window.setTimeout(poll, POLL_MS * 5);
        return;
      }
      if (bar) {
        bar.value = state.percent;
        bar.textContent = `${state.percent}%`;
      }
      if (text) {
        text.textContent = `${state.label}: ${format.format(state.rows_done)} of ${format.format(state.rows_total)} order lines.`;
      }
      if (state.status === "done" && ready && link) {
        link.href = state.download_url;
        ready.hidden = false;
        const pending = box.querySelector("[data-export-pending]");
        if (pending) {
          pending.hidden = true;
        }
        return;
      }
      if (state.status === "failed" || state.status === "expired") {
        window.location.reload();
        return;
      }
      window.setTimeout(poll, POLL_MS);
    };
    window.setTimeout(poll, POLL_MS);
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
