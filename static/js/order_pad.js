// Order pad: "Add row" appends an empty SKU + quantity row to the Django formset.
// Without JavaScript the page still works: it renders five empty rows and accepts CSV lines.
(() => {
  const button = document.querySelector("[data-add-line]");
  const body = document.querySelector("[data-order-lines]");
  const template = document.getElementById("order-line-template");
  const total = document.getElementById("id_lines-TOTAL_FORMS");
  const max = document.getElementById("id_lines-MAX_NUM_FORMS");
  if (!button || !body || !template || !total) {
    return;
  }
  const limit = max ? parseInt(max.value, 10) : Infinity;

  const refresh = () => {
    const full = parseInt(total.value, 10) >= limit;
    button.disabled = full;
    button.title = full ? "The pad is full; paste further lines as CSV." : "";
  };

  button.addEventListener("click", () => {
    const index = parseInt(total.value, 10);
    if (index >= limit) {
      return;
    }
    const html = template.innerHTML
      .replace(/__prefix__/g, String(index))
      .replace(/__number__/g, String(index + 1));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    refresh();
    const input = body.querySelector(`#id_lines-${index}-sku`);
    if (input) {
      input.focus();
    }
  });

  button.hidden = false;
  refresh();
})();
